import { Global, Module } from '@nestjs/common';
import { DestinationPolicy } from './destination-policy.js';

/** Where connections a tenant can point somewhere may go; one policy for every such feature. */
@Global()
@Module({ providers: [DestinationPolicy], exports: [DestinationPolicy] })
export class NetModule {}
