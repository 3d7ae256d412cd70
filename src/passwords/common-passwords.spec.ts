import { isCommonPassword, loadCommonPasswords } from './common-passwords.js';

describe('common passwords', () => {
  it('holds the 100,000-entry list, lower-cased and de-duplicated', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBe(96_518);
    expect([...list].every((entry) => entry === entry.toLowerCase() && entry === entry.normalize('NFKC'))).toBe(true);
  });

  it('is loaded once', () => {
    expect(loadCommonPasswords()).toBe(loadCommonPasswords());
  });

  it('finds the most common and the least common entries', () => {
    expect(isCommonPassword('123456')).toBe(true);
    expect(isCommonPassword('070162')).toBe(true);
    expect(isCommonPassword('qwertyuiopasdfg')).toBe(true);
  });

  it('compares case-insensitively', () => {
    expect(isCommonPassword('PassWord')).toBe(true);
    expect(isCommonPassword('G00DPA$$W0RD')).toBe(true);
  });

  it('does not find passwords that are not on the list', () => {
    expect(isCommonPassword('correct horse battery staple')).toBe(false);
    expect(isCommonPassword('password ')).toBe(false);
    expect(isCommonPassword('')).toBe(false);
  });
});
