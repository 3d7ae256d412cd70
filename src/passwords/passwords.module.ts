import { Module } from '@nestjs/common';
import { DomainsModule } from '../domains/domains.module.js';
import { PasswordHasher } from './password-hasher.service.js';
import { PasswordPolicyController } from './password-policy.controller.js';
import { PasswordPolicyRepository } from './password-policy.repository.js';
import { PasswordPolicyService } from './password-policy.service.js';
import { StrengthScorer } from './strength-scorer.service.js';

@Module({
  imports: [DomainsModule],
  controllers: [PasswordPolicyController],
  providers: [PasswordPolicyService, PasswordPolicyRepository, PasswordHasher, StrengthScorer],
  exports: [PasswordPolicyService, PasswordHasher],
})
export class PasswordsModule {}
