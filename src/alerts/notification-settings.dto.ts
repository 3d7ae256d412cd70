import { z } from 'zod';
import { emailAddress } from '../common/schemas.js';

export const NotificationSettingsDto = z
  .object({
    email: emailAddress.transform((a) => a.address).nullable()
      .describe('Where new alerts are e-mailed; null: nowhere (for the platform: back to PLATFORM_NOTIFICATION_EMAIL)'),
  })
  .strict();
export type NotificationSettingsDto = z.infer<typeof NotificationSettingsDto>;
