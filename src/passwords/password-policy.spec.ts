import {
  isAtLeastAsStrict,
  isPresetName,
  PERMISSIVE_POLICY,
  policyFieldErrors,
  PRESETS,
  resolveEffectivePolicy,
  type PasswordPolicy,
} from './password-policy.js';

const providerDefault = PRESETS['provider-default'];
const nist = PRESETS['nist-800-63b'];

describe('PRESETS', () => {
  it('provider-default: 12 characters, all four classes, score 3, list and context checks', () => {
    expect(providerDefault).toEqual({
      minLength: 12,
      maxLength: 128,
      requireLower: true,
      requireUpper: true,
      requireDigit: true,
      requireSymbol: true,
      minScore: 3,
      blocklist: true,
      context: true,
      historySize: 0,
    });
  });

  it('nist-800-63b: 15 characters, no composition rules, list and context checks', () => {
    expect(nist).toEqual({
      minLength: 15,
      maxLength: 128,
      requireLower: false,
      requireUpper: false,
      requireDigit: false,
      requireSymbol: false,
      minScore: 0,
      blocklist: true,
      context: true,
      historySize: 0,
    });
  });

  it('are valid policies and cannot be changed in place', () => {
    expect(policyFieldErrors(providerDefault)).toEqual([]);
    expect(policyFieldErrors(nist)).toEqual([]);
    expect(() => {
      (providerDefault as PasswordPolicy).minLength = 1;
    }).toThrow(TypeError);
  });

  it('names are recognized, other strings are not', () => {
    expect(isPresetName('provider-default')).toBe(true);
    expect(isPresetName('nist-800-63b')).toBe(true);
    expect(isPresetName('toString')).toBe(false);
    expect(isPresetName('none')).toBe(false);
  });
});

describe('resolveEffectivePolicy', () => {
  it('with no layers is the permissive policy', () => {
    expect(resolveEffectivePolicy()).toEqual(PERMISSIVE_POLICY);
  });

  it('expands a preset name', () => {
    expect(resolveEffectivePolicy('nist-800-63b')).toEqual(nist);
  });

  it('takes the strictest value of each field across floor, reseller and domain', () => {
    const floor: PasswordPolicy = { ...PERMISSIVE_POLICY, minLength: 10, maxLength: 200, blocklist: true, historySize: 3 };
    const domain: Partial<PasswordPolicy> = { minLength: 20, minScore: 4, maxLength: 100, historySize: 1 };
    expect(resolveEffectivePolicy(floor, 'nist-800-63b', domain)).toEqual({
      minLength: 20,
      maxLength: 100,
      requireLower: false,
      requireUpper: false,
      requireDigit: false,
      requireSymbol: false,
      minScore: 4,
      blocklist: true,
      context: true,
      historySize: 3,
    });
  });

  it('a later layer cannot loosen an earlier one', () => {
    const laxDomain: PasswordPolicy = { ...PERMISSIVE_POLICY, maxLength: 256 };
    expect(resolveEffectivePolicy('provider-default', laxDomain)).toEqual(providerDefault);
  });

  it('combines both presets into the union of their rules', () => {
    expect(resolveEffectivePolicy('provider-default', 'nist-800-63b')).toEqual({ ...providerDefault, minLength: 15 });
  });

  it('skips missing layers (a domain without its own policy)', () => {
    expect(resolveEffectivePolicy(undefined, 'provider-default', null)).toEqual(providerDefault);
  });

  it('does not modify its inputs', () => {
    const floor = { ...PERMISSIVE_POLICY };
    resolveEffectivePolicy(floor, 'provider-default');
    expect(floor).toEqual(PERMISSIVE_POLICY);
  });
});

describe('isAtLeastAsStrict', () => {
  it('is empty for the same policy and for a stricter one', () => {
    expect(isAtLeastAsStrict(providerDefault, providerDefault)).toEqual([]);
    const stricter = { ...providerDefault, minLength: 16, maxLength: 64, historySize: 5 };
    expect(isAtLeastAsStrict(stricter, providerDefault)).toEqual([]);
  });

  it('lists every field that is weaker than the floor', () => {
    expect(isAtLeastAsStrict(nist, providerDefault)).toEqual([
      'requireLower',
      'requireUpper',
      'requireDigit',
      'requireSymbol',
      'minScore',
    ]);
    expect(isAtLeastAsStrict(providerDefault, nist)).toEqual(['minLength']);
  });

  it('counts a longer maximum length as weaker', () => {
    expect(isAtLeastAsStrict({ ...providerDefault, maxLength: 256 }, providerDefault)).toEqual(['maxLength']);
  });

  it('flags turning off the list, context and history checks', () => {
    const floor = { ...providerDefault, historySize: 2 };
    const weak = { ...providerDefault, blocklist: false, context: false, historySize: 1 };
    expect(isAtLeastAsStrict(weak, floor)).toEqual(['blocklist', 'context', 'historySize']);
  });

  it('agrees with resolveEffectivePolicy: the merge of anything with the floor is at least as strict', () => {
    const merged = resolveEffectivePolicy(providerDefault, { ...PERMISSIVE_POLICY, minLength: 8 });
    expect(isAtLeastAsStrict(merged, providerDefault)).toEqual([]);
  });
});

describe('policyFieldErrors', () => {
  it('accepts the edges of each range', () => {
    expect(policyFieldErrors({ ...PERMISSIVE_POLICY, minLength: 64, maxLength: 64, minScore: 4, historySize: 24 })).toEqual([]);
    expect(policyFieldErrors({ ...PERMISSIVE_POLICY, minLength: 1, maxLength: 256, minScore: 0, historySize: 0 })).toEqual([]);
  });

  it('rejects values outside the ranges, naming the field', () => {
    const errors = policyFieldErrors({ ...PERMISSIVE_POLICY, minLength: 0, maxLength: 63, minScore: 5, historySize: 25 });
    expect(errors.map((error) => error.field)).toEqual(['minLength', 'maxLength', 'minScore', 'historySize']);
    expect(errors[1]).toEqual({ field: 'maxLength', message: 'Must be a whole number from 64 to 256.' });
  });

  it('rejects a maximum above the hard cap, fractions and non-booleans', () => {
    const policy = { ...PERMISSIVE_POLICY, maxLength: 257, minLength: 12.5, context: 'yes' } as unknown as PasswordPolicy;
    expect(policyFieldErrors(policy).map((error) => error.field)).toEqual(['minLength', 'maxLength', 'context']);
  });
});
