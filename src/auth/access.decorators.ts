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
