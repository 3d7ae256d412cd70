import { Injectable } from '@nestjs/common';
import { DkimKeysService } from '../../dkim/dkim-keys.service.js';
import { type DkimSigningKey, dkimSign } from '../../dkim/dkim-signer.js';
import { SIGNING_KEYS_CACHE_MS } from './delivery.constants.js';
import { DeliveryRepository } from './delivery.repository.js';

/**
 * DKIM-signs a message at each try with its sending domain's keys active then (a rotation
 * between tries is honoured). Messages without a sending domain (DSNs) go unsigned.
 */
@Injectable()
export class MessageSigner {
  private readonly cache = new Map<string, { keys: DkimSigningKey[]; until: number }>();

  constructor(
    private readonly repository: DeliveryRepository,
    private readonly dkim: DkimKeysService,
  ) {}

  async sign(message: { domainId: string | null; raw: Uint8Array }): Promise<Buffer> {
    const raw = Buffer.from(message.raw);
    if (!message.domainId) return raw;
    const keys = await this.keysOf(message.domainId);
    return keys.length ? dkimSign(raw, keys) : raw;
  }

  private async keysOf(domainId: string): Promise<DkimSigningKey[]> {
    const cached = this.cache.get(domainId);
    if (cached && cached.until > Date.now()) return cached.keys;
    const domain = await this.repository.signingDomain(domainId);
    const keys = domain ? await this.dkim.signingKeys(domain) : [];
    this.cache.set(domainId, { keys, until: Date.now() + SIGNING_KEYS_CACHE_MS });
    return keys;
  }
}
