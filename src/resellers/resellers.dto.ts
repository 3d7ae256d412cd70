import { z } from 'zod';
import { displayText, emailAddress } from '../common/schemas.js';
import type { Reseller } from '../generated/prisma/client.js';
import { MailHostnamesDto, mailHostnamesView } from '../settings-lookup/hostname-overrides.js';

// z.int() already stops at Number.MAX_SAFE_INTEGER.
const limit = (max?: number) => (max ? z.int().min(0).max(max) : z.int().min(0)).nullable().describe('null = unlimited');

const fields = {
  name: displayText(200).min(1),
  maxDomains: limit(1_000_000),
  maxMailboxes: limit(10_000_000),
  maxStorageBytes: limit(),
  notificationEmail: emailAddress.transform((a) => a.address).nullable().describe('Where new alerts about this tenant are e-mailed; null: nowhere'),
};

export const ResellerCreateDto = z
  .object({
    ...fields,
    maxDomains: fields.maxDomains.default(null),
    maxMailboxes: fields.maxMailboxes.default(null),
    maxStorageBytes: fields.maxStorageBytes.default(null),
    notificationEmail: fields.notificationEmail.default(null),
  })
  .strict();
export type ResellerCreateDto = z.infer<typeof ResellerCreateDto>;

// No defaults here: a PATCH changes only the fields it names.
export const ResellerUpdateDto = z.object({ ...fields, mailHostnames: MailHostnamesDto }).partial().strict();
export type ResellerUpdateDto = z.infer<typeof ResellerUpdateDto>;

export function resellerView(reseller: Reseller) {
  return {
    id: reseller.id,
    name: reseller.name,
    maxDomains: reseller.maxDomains,
    maxMailboxes: reseller.maxMailboxes,
    maxStorageBytes: reseller.maxStorageBytes === null ? null : Number(reseller.maxStorageBytes),
    mailHostnames: mailHostnamesView(reseller),
    notificationEmail: reseller.notificationEmail,
    createdAt: reseller.createdAt,
    updatedAt: reseller.updatedAt,
  };
}
