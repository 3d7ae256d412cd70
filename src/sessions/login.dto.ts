import { z } from 'zod';

// The address is matched as typed (lower-cased): an unknown one must answer exactly as a wrong
// password does, so it is not validated as an address here.
const email = z.string().trim().min(1).max(320).transform((s) => s.toLowerCase());
const password = z.string().min(1).max(1024);

export const LoginDto = z.object({
  email, password,
  kind: z.enum(['staff', 'mailbox']).optional()
    .describe('Which account the address names; absent: a staff account if one has this address, else the mailbox.'),
}).strict();
export type LoginDto = z.infer<typeof LoginDto>;

export const PasswordResetRequestDto = z.object({ email }).strict();
export type PasswordResetRequestDto = z.infer<typeof PasswordResetRequestDto>;

export const PasswordResetConfirmDto = z
  .object({ token: z.string().min(1).max(200).regex(/^[\w-]+$/, { error: 'must be the token from the e-mail' }), password })
  .strict();
export type PasswordResetConfirmDto = z.infer<typeof PasswordResetConfirmDto>;

const totpCode = z.string().regex(/^\d{6}$/, { error: 'must be the 6-digit code from the authenticator app' });
const challenge = z.string().min(1).max(100).regex(/^[\w-]+$/, { error: 'must be the challenge from the login answer' });

/** The second step: the login's challenge and either a current code or one recovery code. */
export const LoginTotpDto = z.object({
  challenge,
  code: totpCode.optional(),
  recoveryCode: z.string().min(1).max(64).optional().describe('Instead of code: one of the recovery codes, each usable once.'),
}).strict();
export type LoginTotpDto = z.infer<typeof LoginTotpDto>;

export const TotpCodeDto = z.object({ code: totpCode }).strict();
export type TotpCodeDto = z.infer<typeof TotpCodeDto>;
