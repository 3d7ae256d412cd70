import { z } from 'zod';

/**
 * A setting that overrides named rules with JSON (LOGIN_RULES, SENDING_RULES): parsed, checked
 * against `overrides` (each rule partial, unknown names and fields refused), then merged over
 * `defaults` rule by rule.
 */
export function ruleOverridesSetting<R extends { [K in keyof R]: object }>(overrides: z.ZodType<Partial<{ [K in keyof R]: Partial<R[K]> }>>, defaults: R) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be JSON' });
        return z.NEVER;
      }
    })
    .pipe(overrides)
    .transform((parsed) => mergeRuleOverrides(defaults, parsed));
}

export function mergeRuleOverrides<R extends { [K in keyof R]: object }>(defaults: R, overrides: Partial<{ [K in keyof R]: Partial<R[K]> }>): R {
  const names = Object.keys(defaults) as (keyof R)[];
  return Object.fromEntries(names.map((name) => [name, { ...defaults[name], ...overrides[name] }])) as unknown as R;
}
