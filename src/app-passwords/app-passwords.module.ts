import { Module } from '@nestjs/common';
import { PasswordsModule } from '../passwords/passwords.module.js';
import { AppPasswordsController } from './app-passwords.controller.js';
import { AppPasswordsRepository } from './app-passwords.repository.js';
import { AppPasswordsService } from './app-passwords.service.js';

@Module({
  imports: [PasswordsModule],
  controllers: [AppPasswordsController],
  providers: [AppPasswordsService, AppPasswordsRepository],
  exports: [AppPasswordsRepository, AppPasswordsService],
})
export class AppPasswordsModule {}
