import { contextKindsFound, contextTokens, foldLookalikes, type PasswordContext } from './password-context.js';

const account: PasswordContext = { localPart: 'j.doe+news', domain: 'Example.COM', displayName: 'Marguerite Okafor' };
const found = (password: string, context: PasswordContext = account) => contextKindsFound(password, contextTokens(context));

describe('contextTokens', () => {
  it('splits the local part, keeps domain labels without the TLD, splits the display name', () => {
    expect(contextTokens(account)).toEqual({
      localPart: ['j.doe+news', 'doe', 'news'],
      domain: ['example'],
      displayName: ['marguerite', 'okafor'],
    });
  });

  it('drops tokens shorter than 3 characters', () => {
    expect(contextTokens({ localPart: 'jo', domain: 'ab.io', displayName: 'Li Xu Ann' })).toEqual({
      localPart: [],
      domain: [],
      displayName: ['ann'],
    });
  });

  it('skips generic second-level labels and splits hyphenated labels', () => {
    expect(contextTokens({ domain: 'mail.my-shop.co.uk.' }).domain).toEqual(['mail', 'my-shop', 'shop']);
  });

  it('decodes IDN A-labels to the form users see', () => {
    expect(contextTokens({ domain: 'xn--bcher-kva.example' }).domain).toEqual(['bücher']);
  });

  it('is empty without context', () => {
    expect(contextTokens({})).toEqual({ localPart: [], domain: [], displayName: [] });
  });
});

describe('foldLookalikes', () => {
  it('maps common substitutions, case and accents onto one form', () => {
    expect(foldLookalikes('4L1C3')).toBe(foldLookalikes('alice'));
    expect(foldLookalikes('$7@r5')).toBe('stars');
    expect(foldLookalikes('B0ïte')).toBe('boite');
    expect(foldLookalikes('|!1lI')).toBe('iiiii');
  });
});

describe('contextKindsFound', () => {
  it('finds each kind, ignoring case', () => {
    expect(found('correct-DOE-battery')).toEqual(['localPart']);
    expect(found('Sunny EXAMPLE days')).toEqual(['domain']);
    expect(found('okafor-horse-staple')).toEqual(['displayName']);
    expect(found('doe@example')).toEqual(['localPart', 'domain']);
  });

  it('finds reversed tokens', () => {
    expect(found('horse-elpmaxe-staple')).toEqual(['domain']);
    expect(found('ROFAKO')).toEqual(['displayName']);
  });

  it('finds substituted tokens, also reversed', () => {
    expect(found('3x4mpl3-horse')).toEqual(['domain']);
    expect(found('m4rgu3r!t3')).toEqual(['displayName']);
    expect(found('r0f4k0')).toEqual(['displayName']);
    expect(found('n3w$ for you')).toEqual(['localPart']);
  });

  it('finds accented tokens in plain text and the other way round', () => {
    expect(found('Buchers-Welt', { domain: 'xn--bcher-kva.de' })).toEqual(['domain']);
    expect(found('ÉLISE-staple', { displayName: 'Elise' })).toEqual(['displayName']);
  });

  it('finds nothing in unrelated passwords, in short tokens or in the TLD', () => {
    expect(found('correct horse battery staple')).toEqual([]);
    expect(found('jojo-lili-xu', { localPart: 'jo', displayName: 'Li Xu' })).toEqual([]);
    expect(found('company.com rules', { domain: 'example.com' })).toEqual([]);
    expect(found('anything', {})).toEqual([]);
  });
});
