import { z } from 'zod';
import { parseEmail } from './email-address.js';

// Query parameters of the lookups. An address that is not one (control characters, CR/LF,
// spaces, over 254 octets, a second @...) is a 422 with the field code `invalid_address`.
const lookupEmail = z
  .string()
  .max(1024)
  .transform((input, ctx) => {
    const email = parseEmail(input);
    if (email) return email;
    ctx.addIssue({ code: 'custom', message: 'This is not an e-mail address (name@example.com).', params: { code: 'invalid_address' } });
    return z.NEVER;
  });

// An empty value is what a form or a client sends for "no address".
const optionalLookupEmail = z.preprocess((value) => (value === '' ? undefined : value), lookupEmail.optional());

export const SettingsQuery = z.object({ email: lookupEmail }).strict();
export type SettingsQuery = z.infer<typeof SettingsQuery>;

// The formats clients fetch by themselves tolerate parameters they do not know: clients add
// their own, and an error would only cost the user their automatic setup.
export const AutoconfigQuery = z.object({ emailaddress: optionalLookupEmail });
export type AutoconfigQuery = z.infer<typeof AutoconfigQuery>;

export const MobileconfigQuery = z.object({ email: lookupEmail });
export type MobileconfigQuery = z.infer<typeof MobileconfigQuery>;

// Exchange reads `Email` and `Protocol` in this letter case.
export const AutodiscoverV2Query = z.object({
  Email: lookupEmail.optional(),
  Protocol: z.string().max(100).optional(),
});
export type AutodiscoverV2Query = z.infer<typeof AutodiscoverV2Query>;

export const AutodiscoverV2Params = z.object({ address: lookupEmail });
export type AutodiscoverV2Params = z.infer<typeof AutodiscoverV2Params>;

export const LookupQuery = z.object({ email: lookupEmail }).strict();
export type LookupQuery = z.infer<typeof LookupQuery>;
