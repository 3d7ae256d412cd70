import { Inject, Injectable } from '@nestjs/common';
import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CONFIG, type Config } from '../config/config.js';

/** Answers that mean "no such record" rather than "could not ask" (node:dns error codes). */
const ABSENT = new Set(['ENODATA', 'ENOTFOUND', 'NXDOMAIN']);

export class DnsLookupError extends Error {
  constructor(readonly code: string, readonly name_: string, readonly type: string) {
    super(`DNS lookup of ${type} ${name_} failed: ${code}`);
  }
}

/**
 * Every DNS lookup Postmaster makes goes through here, so DNS_SERVERS points all of them (domain
 * verification, DNS checks, MX for outgoing mail) at the same servers. A missing record is an
 * empty answer; a failure to ask (timeout, SERVFAIL, refused) throws DnsLookupError, because
 * "not published" and "could not tell" call for different verdicts and retries.
 */
@Injectable()
export class DnsResolver {
  private readonly resolver: Resolver;

  constructor(@Inject(CONFIG) config: Config) {
    this.resolver = new Resolver({ timeout: config.DNS_TIMEOUT_MS, tries: 2 });
    if (config.DNS_SERVERS) this.resolver.setServers(config.DNS_SERVERS);
  }

  /** MX hosts in preference order (RFC 5321 §5.1), ties in random order. */
  async mx(name: string): Promise<{ exchange: string; priority: number }[]> {
    const records = await this.ask('MX', name, () => this.resolver.resolveMx(name));
    return records.map((r) => ({ ...r, tie: Math.random() })).sort((a, b) => a.priority - b.priority || a.tie - b.tie)
      .map(({ exchange, priority }) => ({ exchange: exchange.toLowerCase(), priority }));
  }

  /** Each TXT record with its character-strings joined (RFC 7208 §3.3, RFC 6376 §3.6.2.2). */
  async txt(name: string): Promise<string[]> {
    const records = await this.ask('TXT', name, () => this.resolver.resolveTxt(name));
    return records.map((chunks) => chunks.join(''));
  }

  async addresses(name: string): Promise<string[]> {
    if (isIP(name)) return [name];
    const [v4, v6] = await Promise.all([
      this.ask('A', name, () => this.resolver.resolve4(name)),
      this.ask('AAAA', name, () => this.resolver.resolve6(name)),
    ]);
    return [...v4, ...v6];
  }

  async srv(name: string) {
    return this.ask('SRV', name, () => this.resolver.resolveSrv(name));
  }

  async cname(name: string): Promise<string[]> {
    return this.ask('CNAME', name, () => this.resolver.resolveCname(name));
  }

  /**
   * Any record type, answered as node:dns's resolve() answers it (TXT as character-strings, MX
   * as {exchange, priority}): for libraries that take a resolver function, such as mailauth's SPF.
   */
  async resolve(name: string, type: string): Promise<unknown[]> {
    return this.ask(type, name, () => this.resolver.resolve(name, type) as Promise<unknown[]>);
  }

  private async ask<T>(type: string, name: string, lookup: () => Promise<T[]>): Promise<T[]> {
    try {
      return await lookup();
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
      if (ABSENT.has(code)) return [];
      throw new DnsLookupError(code, name, type);
    }
  }
}

