import { BullModule } from '@nestjs/bullmq';

export const MAINTENANCE_QUEUE = 'maintenance';

export const MaintenanceJobs = {
  purgeIdempotencyKeys: 'purge-idempotency-keys',
  purgeMessageBodies: 'purge-message-bodies',
} as const;

export const PURGE_IDEMPOTENCY_EVERY_MS = 3_600_000;
export const PURGE_MESSAGE_BODIES_EVERY_MS = 3_600_000;

export const maintenanceQueue = BullModule.registerQueue({ name: MAINTENANCE_QUEUE });
