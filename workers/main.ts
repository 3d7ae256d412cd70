import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { jsonLogger } from '../src/common/logger.js';
import { ConfigError, loadConfig } from '../src/config/config.js';
import { WorkerModule } from './worker.module.js';

// The worker process: BullMQ consumers, no HTTP server. On SIGTERM Nest closes each worker,
// which waits for the job in hand to finish before the process exits.
async function main() {
  const config = loadConfig();
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(config), { logger: jsonLogger(config) });
  app.enableShutdownHooks();
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
