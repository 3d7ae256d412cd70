import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { ApiKeysModule } from '../api-keys/api-keys.module.js';
import { AccessGuard } from './access.guard.js';
import { ApiKeyStrategy } from './api-key.strategy.js';

@Module({
  imports: [PassportModule, ApiKeysModule],
  providers: [ApiKeyStrategy, { provide: APP_GUARD, useClass: AccessGuard }],
})
export class AuthModule {}
