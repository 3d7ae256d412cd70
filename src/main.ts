import 'reflect-metadata';
import { createApiApp } from './app.factory.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main() {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen({ port: config.PORT, host: config.HOST });
}

main().catch((error) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
