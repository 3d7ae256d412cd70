import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CoreModule } from './core.module.js';

@Module({ imports: [CoreModule, ApiKeysModule] })
class CliModule {}

const USAGE = 'Usage: npm run cli -- create-admin-key <name>';

async function main(argv: string[]) {
  const [command, name] = argv;
  if (command !== 'create-admin-key' || !name) {
    console.error(USAGE);
    return 2;
  }
  const context = await NestFactory.createApplicationContext(
    { module: CliModule, imports: [ConfigModule.forRoot(loadConfig())] }, 
    { logger: ['error', 'fatal'] },
  );
  try {
    const key = await context.get(ApiKeysService).createPlatformKey(name);
    console.log(`Created platform-admin API key "${name}". It is shown only once:`);
    console.log(key);
    return 0;
  } finally {
    await context.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error) => {
    console.error(error instanceof ConfigError ? error.message : error);
    process.exit(1);
  },
);
