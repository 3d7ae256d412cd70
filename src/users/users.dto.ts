import { z } from 'zod';
import { USER_ROLES } from '../auth/caller.js';
import { emailAddress, uuid } from '../common/schemas.js';

const email = emailAddress.transform((a) => a.address.toLowerCase());

export const UserCreateDto = z
  .object({
    email,
    role: z.enum(USER_ROLES),
    resellerId: uuid.optional().describe('Platform admins only: the tenant of a reseller role (a reseller creates for itself).'),
  })
  .strict();
export type UserCreateDto = z.infer<typeof UserCreateDto>;

export const UserUpdateDto = z
  .object({
    role: z.enum(USER_ROLES).optional(),
    disabled: z.boolean().optional().describe('A disabled user cannot log in; its sessions end at once.'),
  })
  .strict();
export type UserUpdateDto = z.infer<typeof UserUpdateDto>;

export const PasswordChangeDto = z
  .object({ currentPassword: z.string().min(1).max(1024), newPassword: z.string().min(1).max(1024) })
  .strict();
export type PasswordChangeDto = z.infer<typeof PasswordChangeDto>;
