import 'reflect-metadata';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ApiKeysModule } from './api-keys/api-keys.module.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { parseAddress } from './common/names.js';
import { ConfigError, loadConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { CoreModule } from './core.module.js';
import { UsersModule } from './users/users.module.js';
import { UsersService } from './users/users.service.js';

@Module({ imports: [CoreModule, ApiKeysModule, UsersModule] })
class CliModule {}

const USAGE = 'Usage: npm run cli -- create-admin-key <name>\n       npm run cli -- create-user <email> --role platform-admin|platform-support';

type Command = (context: INestApplicationContext) => Promise<void>;

/** The command to run, or null when the arguments are not one. The secret is always alone on the last line. */
function parse(argv: string[]): Command | null {
  const [command, name, ...options] = argv;
  if (command === 'create-admin-key' && name && options.length === 0) {
    return async (context) => {
      const key = await context.get(ApiKeysService).createPlatformKey(name);
      console.log(`Created platform-admin API key "${name}". It is shown only once:`);
      console.log(key);
    };
  }
  const role = options[0] === '--role' && options.length === 2 ? options[1] : undefined;
  if (command === 'create-user' && name && (role === 'platform-admin' || role === 'platform-support')) {
    const email = parseAddress(name);
    if (!('address' in email)) return null;
    return async (context) => {
      const password = await context.get(UsersService).createFromCli(email.address, role);
      console.log(`Created ${role} ${email.address}. Its one-time password, shown only once, must be changed at the first login:`);
      console.log(password);
    };
  }
  return null;
}

async function main(argv: string[]) {
  const command = parse(argv);
  if (!command) {
    console.error(USAGE);
    return 2;
  }
  const context = await NestFactory.createApplicationContext(
    { module: CliModule, imports: [ConfigModule.forRoot(loadConfig())] }, 
    { logger: ['error', 'fatal'] },
  );
  try {
    await command(context);
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
