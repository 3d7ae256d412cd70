import { Global, Module } from '@nestjs/common';
import { DnsResolver } from './dns-resolver.js';

@Global()
@Module({ providers: [DnsResolver], exports: [DnsResolver] })
export class DnsModule {}
