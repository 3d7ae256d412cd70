import { Module } from '@nestjs/common';
import { DkimKeysRepository } from './dkim-keys.repository.js';
import { DkimKeysService } from './dkim-keys.service.js';

/** DKIM keys: signing (outgoing mail), records (domain representation), rotation (worker). */
@Module({
  providers: [DkimKeysService, DkimKeysRepository],
  exports: [DkimKeysService, DkimKeysRepository],
})
export class DkimModule {}
