import { Inject, Injectable } from '@nestjs/common';
import { CONFIG, type Config } from '../config/config.js';
import { deriveKey, open, seal } from '../common/secrets.js';
import type { DkimKey } from '../generated/prisma/client.js';
import { PrismaService } from '../prisma/prisma.service.js';
import { type DkimAlgorithm, dkimRecordText, generateDkimKeyPair, newSelector } from './dkim-key-pair.js';
import { DkimKeysRepository } from './dkim-keys.repository.js';
import type { DkimSigningKey } from './dkim-signer.js';

const HOUR_MS = 3_600_000;

/** A key's DNS record as the domain representation shows it. */
export interface DkimRecordView {
  selector: string;
  algorithm: DkimAlgorithm;
  state: 'next' | 'active' | 'retired';
  type: 'TXT';
  name: string;
  value: string;
  activatedAt: Date | null;
  retiredAt: Date | null;
  /** Retired keys only: from then on no mail in transit still needs the record. */
  safeToRemoveAt?: Date;
}

/**
 * The domain's DKIM keys: the private halves are sealed at rest (AES-256-GCM, key derived from
 * POSTMASTER_SECRET) and opened only here, for signing; the API shows public records only.
 */
@Injectable()
export class DkimKeysService {
  private readonly sealKey: Buffer;

  constructor(
    @Inject(CONFIG) private readonly config: Config,
    private readonly prisma: PrismaService,
    private readonly keys: DkimKeysRepository,
  ) {
    this.sealKey = deriveKey(config, 'dkim');
  }

  /**
   * The keys to sign the domain's mail with: its active RSA key, and its active Ed25519 key when
   * it has one (dual signing, RFC 8463 §4). The first RSA key is created on first use.
   */
  async signingKeys(domain: { id: string; name: string }): Promise<DkimSigningKey[]> {
    let active = await this.keys.active(domain.id);
    if (!active.some((k) => k.algorithm === 'rsa')) {
      await this.ensureFirstKey(domain.id);
      active = await this.keys.active(domain.id);
    }
    return active.map((key) => ({
      domainName: domain.name,
      selector: key.selector,
      algorithm: key.algorithm,
      privateKeyPem: open(this.sealKey, key.privateKey).toString('utf8'),
    }));
  }

  /**
   * The domain's first RSA key, active at once (nothing signed before it, so there is nothing to
   * switch from). Race-safe: the key is generated outside the transaction, and the domain's row
   * lock makes a second creator see the first one's key and discard its own.
   */
  async ensureFirstKey(domainId: string): Promise<void> {
    if ((await this.keys.active(domainId)).some((k) => k.algorithm === 'rsa')) return;
    const pair = await generateDkimKeyPair('rsa');
    await this.prisma.$transaction(async (tx) => {
      if (!(await this.keys.lockDomain(tx, domainId))) return;
      const existing = await this.keys.ofDomain(domainId, tx);
      if (existing.some((k) => k.algorithm === 'rsa' && k.state === 'active')) return;
      await this.keys.create(tx, {
        domainId, selector: newSelector('rsa'), algorithm: 'rsa', state: 'active', activatedAt: new Date(),
        publicKey: pair.publicKey, privateKey: this.seal(pair.privateKeyPem),
      });
    });
  }

  /**
   * A next key for `algorithm`, published in the domain's representation; signing switches to it
   * once its record is seen in DNS. Null when the domain already has a next key of that algorithm
   * (or is gone).
   */
  async createNextKey(domainId: string, algorithm: DkimAlgorithm): Promise<DkimKey | null> {
    const pair = await generateDkimKeyPair(algorithm);
    return this.prisma.$transaction(async (tx) => {
      if (!(await this.keys.lockDomain(tx, domainId))) return null;
      const existing = await this.keys.ofDomain(domainId, tx);
      if (existing.some((k) => k.algorithm === algorithm && k.state === 'next')) return null;
      return this.keys.create(tx, {
        domainId, selector: newSelector(algorithm), algorithm, state: 'next', activatedAt: null,
        publicKey: pair.publicKey, privateKey: this.seal(pair.privateKeyPem),
      });
    });
  }

  async records(domain: { id: string; name: string }): Promise<DkimRecordView[]> {
    return this.recordViews(domain.name, await this.keys.ofDomain(domain.id));
  }

  async recordsOf(domains: { id: string; name: string }[]): Promise<Map<string, DkimRecordView[]>> {
    const keys = await this.keys.ofDomains(domains.map((d) => d.id));
    return new Map(domains.map((d) => [d.id, this.recordViews(d.name, keys.filter((k) => k.domainId === d.id))]));
  }

  recordViews(domainName: string, keys: DkimKey[]): DkimRecordView[] {
    const graceMs = this.config.DKIM_RETIRE_GRACE_HOURS * HOUR_MS;
    return keys.map((key) => ({
      selector: key.selector,
      algorithm: key.algorithm,
      state: key.state,
      type: 'TXT' as const,
      name: `${key.selector}._domainkey.${domainName}`,
      value: dkimRecordText(key.algorithm, key.publicKey),
      activatedAt: key.activatedAt,
      retiredAt: key.retiredAt,
      ...(key.retiredAt && { safeToRemoveAt: new Date(key.retiredAt.getTime() + graceMs) }),
    }));
  }

  private seal(privateKeyPem: string): Uint8Array<ArrayBuffer> {
    return new Uint8Array(seal(this.sealKey, Buffer.from(privateKeyPem, 'utf8')));
  }
}
