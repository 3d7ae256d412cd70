/**
 * Whose TOTP: a staff user (users table) or a mailbox owner (mailboxes table). One table serves
 * both through kind + id, so no foreign key ties it to either.
 */
export interface TotpSubject {
  kind: 'user' | 'mailbox';
  id: string;
  /** The tenant the subject belongs to (audit log); null for platform staff. */
  resellerId: string | null;
  /** Shown in the authenticator app under the issuer: the e-mail address. */
  accountName: string;
}
