import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { jsonLogger } from '../src/common/logger.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { stopGracefullyOnSignals } from '../src/common/shutdown.js';
import { WorkerModule } from './worker.module.js';

// The worker process: BullMQ consumers, no HTTP server.
async function main() {
  const config = loadConfig();
  const logger = jsonLogger(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger });
  stopGracefullyOnSignals(app, logger);
  logger.log('worker started', 'Worker');
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
