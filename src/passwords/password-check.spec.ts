import { checkPassword, type PasswordHistory } from './password-check.js';
import type { PasswordContext } from './password-context.js';
import { PERMISSIVE_POLICY, PRESETS, type PasswordPolicy } from './password-policy.js';

const account: PasswordContext = { localPart: 'j.doe+news', domain: 'example.com', displayName: 'Marguerite Okafor' };
const only = (rules: Partial<PasswordPolicy>): PasswordPolicy => ({ ...PERMISSIVE_POLICY, ...rules });

async function codes(password: string, policy: PasswordPolicy, context?: PasswordContext, history?: PasswordHistory) {
  const result = await checkPassword({ password, policy, context, history });
  expect(result.ok).toBe(result.violations.length === 0);
  return result.violations.map((violation) => violation.code);
}

async function messages(password: string, policy: PasswordPolicy, context?: PasswordContext) {
  const result = await checkPassword({ password, policy, context });
  return result.violations.map((violation) => violation.message);
}

describe('checkPassword', () => {
  it('returns ok with no violations when every rule holds', async () => {
    expect(await checkPassword({ password: 'anything', policy: PERMISSIVE_POLICY })).toEqual({ ok: true, violations: [] });
  });

  describe('invalid_characters', () => {
    it.each([
      ['NUL', 'abc\u0000def'],
      ['a tab', 'abc\tdef'],
      ['DEL', 'abc\u007fdef'],
      ['a C1 control', 'abc\u0085def'],
      ['a lone high surrogate', 'abc\uD800def'],
      ['a lone low surrogate', '\uDC00abcdef'],
      ['a surrogate pair in the wrong order', 'abc\uDE00\uD83D'],
      ['the replacement character', 'abc\uFFFDdef'],
    ])('rejects %s', async (_, password) => {
      expect(await codes(password, PERMISSIVE_POLICY)).toEqual(['invalid_characters']);
    });

    it('accepts emoji, accents and spaces', async () => {
      expect(await codes('😀 café ñ 中文', PERMISSIVE_POLICY)).toEqual([]);
    });

    it('still reports the other rules', async () => {
      const policy = only({ minLength: 8, requireDigit: true });
      expect(await codes('\u0000', policy)).toEqual(['invalid_characters', 'too_short', 'missing_digit']);
    });
  });

  describe('too_short and too_long', () => {
    const policy = only({ minLength: 12, maxLength: 64 });

    it('accepts exactly the minimum and the maximum length', async () => {
      expect(await codes('a'.repeat(12), policy)).toEqual([]);
      expect(await codes('a'.repeat(64), policy)).toEqual([]);
    });

    it('rejects one character below the minimum and above the maximum', async () => {
      expect(await codes('a'.repeat(11), policy)).toEqual(['too_short']);
      expect(await codes('a'.repeat(65), policy)).toEqual(['too_long']);
      expect(await messages('a'.repeat(11), policy)).toEqual(['Use at least 12 characters.']);
      expect(await messages('a'.repeat(65), policy)).toEqual(['Use at most 64 characters.']);
    });

    it('allows up to the hard cap of 256 and no more', async () => {
      expect(await codes('a'.repeat(256), PERMISSIVE_POLICY)).toEqual([]);
      expect(await codes('a'.repeat(257), PERMISSIVE_POLICY)).toEqual(['too_long']);
    });

    it('counts code points, not UTF-16 units', async () => {
      expect(await codes('😀'.repeat(12), policy)).toEqual([]);
      expect(await codes('😀'.repeat(11), policy)).toEqual(['too_short']);
      expect(await codes('😀'.repeat(64), policy)).toEqual([]);
    });

    it('counts after NFKC normalization', async () => {
      // 22 code points that compose into 11 letters é.
      expect(await codes('e\u0301'.repeat(11), policy)).toEqual(['too_short']);
      // 4 ligatures that expand into 12 letters.
      expect(await codes('ﬃ'.repeat(4), policy)).toEqual([]);
    });
  });

  describe('character classes', () => {
    it.each([
      ['missing_lowercase', { requireLower: true }, 'ABC123!', 'ABc'],
      ['missing_uppercase', { requireUpper: true }, 'abc123!', 'abÉ'],
      ['missing_digit', { requireDigit: true }, 'abcDEF!', 'abc٣'],
      ['missing_symbol', { requireSymbol: true }, 'abcDEF123', 'abc def'],
    ])('%s', async (code, rules, without, withIt) => {
      expect(await codes(without, only(rules))).toEqual([code]);
      expect(await codes(withIt, only(rules))).toEqual([]);
    });

    it('counts punctuation, symbols and spaces as symbols', async () => {
      for (const password of ['abc_', 'abc€', 'abc~', 'abc\u00a0x']) {
        expect(await codes(password, only({ requireSymbol: true }))).toEqual([]);
      }
    });

    it('reports every missing class at once', async () => {
      const all = only({ requireLower: true, requireUpper: true, requireDigit: true, requireSymbol: true });
      expect(await codes('abc', all)).toEqual(['missing_uppercase', 'missing_digit', 'missing_symbol']);
      expect(await codes('', all)).toEqual([
        'too_short',
        'missing_lowercase',
        'missing_uppercase',
        'missing_digit',
        'missing_symbol',
      ]);
    });
  });

  describe('common_password', () => {
    it.each(['password', 'PaSsWoRd', 'ｐａｓｓｗｏｒｄ', 'qwertyuiopasdfg'])('rejects %s', async (password) => {
      expect(await codes(password, only({ blocklist: true }))).toEqual(['common_password']);
    });

    it('accepts passwords not on the list, and anything when the rule is off', async () => {
      expect(await codes('correct horse battery staple', only({ blocklist: true }))).toEqual([]);
      expect(await codes('password', only({ blocklist: false }))).toEqual([]);
    });
  });

  describe('contains_context', () => {
    const policy = only({ context: true });

    it.each([
      ['the local part', 'correct-DOE-battery', "Passwords cannot contain the mailbox's name (the part before @)."],
      ['the domain without its TLD', 'sunny example days', 'Passwords cannot contain the domain name.'],
      ['a display name word', 'okafor-horse-staple', "Passwords cannot contain the account's display name."],
      ['a reversed token', 'horse-elpmaxe-staple', 'Passwords cannot contain the domain name.'],
      ['a substituted token', 'M4rgu3r!t3 rules', "Passwords cannot contain the account's display name."],
      ['a substituted and reversed token', 'r0f4k0 rules', "Passwords cannot contain the account's display name."],
    ])('rejects %s, naming the kind without echoing the password', async (_, password, message) => {
      expect(await codes(password, policy, account)).toEqual(['contains_context']);
      expect(await messages(password, policy, account)).toEqual([message]);
    });

    it('reports several kinds in one violation', async () => {
      expect(await messages('doe@example-okafor', policy, account)).toEqual([
        "Passwords cannot contain the mailbox's name (the part before @), the domain name and the account's display name.",
      ]);
    });

    it('ignores tokens shorter than 3 characters and the TLD', async () => {
      expect(await codes('jojo-lili.com', policy, { localPart: 'jo', domain: 'li.com', displayName: 'Jo Li' })).toEqual([]);
    });

    it('accepts anything when the rule is off or there is no context', async () => {
      expect(await codes('example', only({ context: false }), account)).toEqual([]);
      expect(await codes('example', policy)).toEqual([]);
    });
  });

  describe('too_weak', () => {
    it('rejects a score below the minimum', async () => {
      expect(await codes('Password123!', only({ minScore: 3 }))).toEqual(['too_weak']);
      expect(await codes('Summer2024!!ab', only({ minScore: 4 }))).toEqual(['too_weak']);
    });

    it('accepts a score at the minimum', async () => {
      expect(await codes('Summer2024!!ab', only({ minScore: 3 }))).toEqual([]);
      expect(await codes('Kx9#mQ2$vL7!', only({ minScore: 4 }))).toEqual([]);
    });

    it('gives the context words to zxcvbn even when the context rule is off', async () => {
      expect(await codes('Zorbulonquixt', only({ minScore: 3 }), { localPart: 'zorbulonquixt' })).toEqual(['too_weak']);
      expect(await codes('Zorbulonquixt', only({ minScore: 3 }))).toEqual([]);
    });

    it('is not checked at minScore 0', async () => {
      expect(await codes('aaa', only({ minScore: 0 }))).toEqual([]);
    });
  });

  describe('reused_password', () => {
    const hashes = ['h:current', 'h:older', 'h:oldest'];
    let verified: string[];
    const history: PasswordHistory = {
      hashes,
      verify: async (hash, password) => {
        verified.push(hash);
        return hash === `h:${password}`;
      },
    };
    beforeEach(() => {
      verified = [];
    });

    it('is off at N=0: nothing is verified', async () => {
      expect(await codes('current', only({ historySize: 0 }), {}, history)).toEqual([]);
      expect(verified).toEqual([]);
    });

    it('at N=2 rejects the last two passwords', async () => {
      expect(await codes('current', only({ historySize: 2 }), {}, history)).toEqual(['reused_password']);
      expect(verified).toEqual(['h:current']);
      expect(await codes('older', only({ historySize: 2 }), {}, history)).toEqual(['reused_password']);
    });

    it('at N=2 accepts the third-last password, verifying only two hashes', async () => {
      expect(await codes('oldest', only({ historySize: 2 }), {}, history)).toEqual([]);
      expect(verified).toEqual(['h:current', 'h:older']);
    });

    it('names the size of the history', async () => {
      const reuse = async (historySize: number) =>
        (await checkPassword({ password: 'current', policy: only({ historySize }), history })).violations[0].message;
      expect(await reuse(1)).toBe('Choose a password different from your previous one.');
      expect(await reuse(2)).toBe('Choose a password different from your last 2 passwords.');
    });

    it('verifies the password as typed, not its normalized form', async () => {
      const typed = { hashes: ['h:ﬁsh'], verify: history.verify };
      expect(await codes('ﬁsh', only({ historySize: 1 }), {}, typed)).toEqual(['reused_password']);
    });

    it('passes without a history (a new account) and lets verifier errors through', async () => {
      expect(await codes('current', only({ historySize: 2 }))).toEqual([]);
      const broken = { hashes: ['h:x'], verify: () => Promise.reject(new Error('bad hash')) };
      const check = checkPassword({ password: 'x', policy: only({ historySize: 1 }), history: broken });
      await expect(check).rejects.toThrow('bad hash');
    });
  });

  describe('provider-default preset', () => {
    const policy = PRESETS['provider-default'];

    it.each([
      ['a strong password of exactly 12 characters', 'Kx9#mQ2$vL7!', []],
      ['one character short', 'Kx9#mQ2$vL7', ['too_short']],
      ['129 characters', 'Kx9#mQ2$vL7!'.padEnd(129, 'z'), ['too_long']],
      [
        'a common lower-case word',
        'password',
        ['too_short', 'missing_uppercase', 'missing_digit', 'missing_symbol', 'common_password', 'too_weak'],
      ],
      ['a listed password that meets the composition rules', 'G00dPa$$w0rd', ['common_password', 'too_weak']],
      ['a guessable password that meets the composition rules', 'Password123!', ['too_weak']],
      ['the local part', 'Jdoe#2024-Zq8vK', ['contains_context']],
      ['a long passphrase without composition', 'correct horse battery staple', ['missing_uppercase', 'missing_digit']],
    ])('%s', async (_, password, expected) => {
      expect(await codes(password, policy, account)).toEqual(expected);
    });
  });

  describe('nist-800-63b preset', () => {
    const policy = PRESETS['nist-800-63b'];

    it.each([
      ['a passphrase of exactly 15 characters', 'orbit lamp tuba', []],
      ['one character short', 'orbit lamp tub', ['too_short']],
      ['a long lower-case passphrase', 'correct horse battery staple', []],
      ['a common word', 'password', ['too_short', 'common_password']],
      ['a listed 15-character password', 'QwertyUiopAsdfg', ['common_password']],
      ['the display name', 'okafor family holidays', ['contains_context']],
      ['the reversed, substituted domain', '3lpm4x3 by the sea', ['contains_context']],
      ['a guessable password (no strength rule)', 'Password123456!', []],
    ])('%s', async (_, password, expected) => {
      expect(await codes(password, policy, account)).toEqual(expected);
    });
  });
});
