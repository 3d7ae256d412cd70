import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { jsonLogger } from '../common/logger.js';
import { stopGracefullyOnSignals } from '../common/shutdown.js';
import { ConfigError, loadConfig } from '../config/config.js';
import { PolicyModule } from './policy.module.js';

// The policy service process (`npm run start:policy`): Postfix's check_policy_service talks to
// it over TCP on POLICY_HOST:POLICY_PORT. A process of its own, not part of the worker, so that
// delivery's CPU (DKIM signing, TLS) never stands between Postfix and an answer at RCPT TO.
async function main() {
  const config = loadConfig();
  const logger = jsonLogger(config);
  const app = await NestFactory.createApplicationContext(PolicyModule.forRoot(config), { logger });
  stopGracefullyOnSignals(app, logger);
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
