import { z } from 'zod';
import { displayText, uuid } from '../common/schemas.js';
import { isValidCidr } from '../auth/ip-ranges.js';
import type { ApiKey } from '../generated/prisma/client.js';

export const RESOURCES = ['resellers', 'api-keys', 'domains', 'mailboxes', 'aliases', 'domain-aliases', 'audit-log', 'mail-services', 'password-policy', 'alerts', 'activity', 'messages', 'webhooks', 'users'] as const;
// Shows the secrets in GET /v1/mail-services/config (database password, auth-policy secret);
// never held by a read-only key. Reaching the route still takes mail-services:read or :write.
export const MAIL_SERVICES_SECRETS_SCOPE = 'mail-services:secrets';
export const SCOPES = [...RESOURCES.flatMap((r) => [`${r}:read`, `${r}:write`]), MAIL_SERVICES_SECRETS_SCOPE];

export const ApiKeyCreateDto = z
  .object({
    name: displayText(100).min(1),
    resellerId: uuid.optional().describe('Platform admins only: create the key for this reseller.'),
    scopes: z.array(z.enum(SCOPES as [string, ...string[]])).max(SCOPES.length).default([])
      .describe('Empty means every scope the creating key has.'),
    readOnly: z.boolean().default(false),
    allowedIps: z.array(z.string().max(64).refine(isValidCidr, { message: 'must be an IP range in CIDR form', params: { code: 'invalid_cidr' } }))
      .max(50).default([])
      .describe("Empty means the creating key's ranges; each range must lie within them when it has any."),
    expiresAt: z.iso.datetime({ offset: true }).transform((s) => new Date(s)).optional()
      .describe("Left out: the creating key's expiry (none if it has none); never later than it."),
  })
  .strict()
  .refine((dto) => !(dto.readOnly && dto.scopes.includes(MAIL_SERVICES_SECRETS_SCOPE)), {
    path: ['scopes'], message: `A read-only key cannot hold ${MAIL_SERVICES_SECRETS_SCOPE}.`, params: { code: 'not_allowed' },
  });
export type ApiKeyCreateDto = z.infer<typeof ApiKeyCreateDto>;

export function apiKeyView(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    resellerId: key.resellerId,
    prefix: key.prefix,
    scopes: key.scopes,
    readOnly: key.readOnly,
    allowedIps: key.allowedIps,
    expiresAt: key.expiresAt,
    lastUsedAt: key.lastUsedAt,
    createdAt: key.createdAt,
  };
}
