import { SetMetadata } from '@nestjs/common';

export const PUBLIC = 'pm:public';
export const RESOURCE = 'pm:resource';
export const PLATFORM_ADMIN = 'pm:platform-admin';
export const READ_ACTION = 'pm:read-action';

/** No authentication: health, docs and the formats mail clients fetch by themselves. */
export const Public = () => SetMetadata(PUBLIC, true);

/** The scope family a controller belongs to: a key scoped to `mailboxes:read` may call its GETs. */
export const Resource = (name: string) => SetMetadata(RESOURCE, name);

/** Only keys of the platform itself (no reseller) may call these routes. */
export const PlatformAdminOnly = () => SetMetadata(PLATFORM_ADMIN, true);

/** A POST that changes nothing (a dry run), allowed to read-only keys. */
export const ReadAction = () => SetMetadata(READ_ACTION, true);

export const PASSWORD_CHANGE_ALLOWED = 'pm:password-change-allowed';

/** Reachable by a person who still holds a one-time password (to change it, or to leave). */
export const AllowedBeforePasswordChange = () => SetMetadata(PASSWORD_CHANGE_ALLOWED, true);

export const OWN_ACCOUNT = 'pm:own-account';

/** A write to the caller's own login (logout, its sessions, its password), not to tenant data: read-only roles may do it. */
export const OwnAccount = () => SetMetadata(OWN_ACCOUNT, true);

export const MFA_ENROLMENT_ALLOWED = 'pm:mfa-enrolment-allowed';

/** Reachable by staff who must still enrol TOTP (STAFF_TOTP_REQUIRED): enrolment itself, who am I, logout. */
export const AllowedBeforeMfaEnrolment = () => SetMetadata(MFA_ENROLMENT_ALLOWED, true);

export const MAILBOX_OWNER_ROUTE = 'pm:mailbox-owner-route';

/** A route a mailbox owner's session may call (its own /v1/me…); every other route answers it 404. */
export const MailboxOwnerRoute = () => SetMetadata(MAILBOX_OWNER_ROUTE, true);
