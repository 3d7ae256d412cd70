import { z } from 'zod';

// What Dovecot posts: every attribute of auth_policy_request_attributes as a string (README,
// "Wiring Dovecot"), plus `success` and `policy_reject` on reports. Unknown attributes (Dovecot
// adds `tls` on TLS connections, an operator may add more) are ignored, not refused: the hook must
// keep answering whatever the mail server's configuration adds.
export const AuthPolicyRequest = z.object({
  login: z.string().max(1024).default(''),
  remote: z.string().max(128).default(''),
  protocol: z.string().max(64).default(''),
  session_id: z.string().max(256).optional(),
  // The app password a login used (issue 12, item 8); empty when it used the main password.
  app_password_id: z.string().max(64).optional(),
  success: z.boolean().optional(),
  policy_reject: z.boolean().optional(),
});
export type AuthPolicyRequest = z.infer<typeof AuthPolicyRequest>;

export const AuthPolicyQuery = z.object({ command: z.enum(['allow', 'report']) });
export type AuthPolicyQuery = z.infer<typeof AuthPolicyQuery>;

/** Logins are addresses, compared in lower case, as the mailboxes table stores them. */
export function normalizeLogin(login: string): string {
  return login.trim().toLowerCase();
}
