import { Module } from '@nestjs/common';
import { ResellerLimits } from './reseller-limits.service.js';
import { ResellersController } from './resellers.controller.js';
import { ResellersRepository } from './resellers.repository.js';
import { ResellersService } from './resellers.service.js';

@Module({
  controllers: [ResellersController],
  providers: [ResellersService, ResellersRepository, ResellerLimits],
  exports: [ResellersRepository, ResellerLimits],
})
export class ResellersModule {}
