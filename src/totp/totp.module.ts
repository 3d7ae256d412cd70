import { Module } from '@nestjs/common';
import { TotpRepository } from './totp.repository.js';
import { TotpService } from './totp.service.js';

/** TOTP as a service: part A's login (staff and mailbox owners) and app passwords call it. */
@Module({
  providers: [TotpService, TotpRepository],
  exports: [TotpService],
})
export class TotpModule {}
