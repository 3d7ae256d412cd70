import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApiApp } from './app.factory.js';
import { stopGracefullyOnSignals } from './common/shutdown.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main() {
  const config = loadConfig();
  const app = await createApiApp(config);
  stopGracefullyOnSignals(app, new Logger());
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
