import { type Socket, createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { Config } from '../../src/config/config.js';
import { DnsLookupError, DnsResolver } from '../../src/dns/dns-resolver.js';
import { SPF_LOOKUP_LIMIT, SpfTimeoutError, evaluateSpf } from '../../src/domain-dns/spf-evaluation.js';
import { TestDnsServer } from '../support/dns-server.js';

const SENDER = '192.0.2.10';
const DNS_TIMEOUT_MS = 1_000;
// Each query through the slow proxy waits this long: a chain of N lookups takes N times it.
const SLOW_QUERY_DELAY_MS = 150;
const SLOW_CHAIN_LENGTH = 6;
const SHORT_BOUND_MS = 300;
// Timers and the event loop of a loaded 2-core machine, on top of the bound.
const TIMER_SLACK_MS = 250;

const resolverAt = (server: string, timeoutMs = DNS_TIMEOUT_MS) =>
  new DnsResolver({ DNS_SERVERS: [server], DNS_TIMEOUT_MS: timeoutMs } as Config);
const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}.spf.test`);

/** A UDP DNS forwarder that holds every query `delayMs` before passing it on: a slow resolver path. */
class SlowDnsProxy {
  queries = 0;
  private readonly pending = new Set<NodeJS.Timeout>();
  private closed = false;
  private constructor(private readonly socket: Socket) {}

  static async start(upstream: string, delayMs: number): Promise<SlowDnsProxy> {
    const [host, port] = upstream.split(':');
    const socket = createSocket('udp4');
    const proxy = new SlowDnsProxy(socket);
    socket.on('message', (query, client) => {
      proxy.queries++;
      const timer = setTimeout(() => {
        proxy.pending.delete(timer);
        const out = createSocket('udp4');
        out.once('message', (reply) => {
          if (!proxy.closed) socket.send(reply, client.port, client.address);
          out.close();
        });
        out.send(query, Number(port), host);
      }, delayMs);
      proxy.pending.add(timer);
    });
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    return proxy;
  }

  get address(): string {
    return `127.0.0.1:${(this.socket.address() as AddressInfo).port}`;
  }

  close(): Promise<void> {
    this.closed = true;
    for (const timer of this.pending) clearTimeout(timer);
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

// RFC 7208 §4.6.4's limits inside the evaluation itself (mailauth, through our DnsResolver),
// against a real DNS server.
describe('SPF evaluation limits', () => {
  let dns: TestDnsServer;
  let resolver: DnsResolver;

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    resolver = resolverAt(dns.address);
    const hosts = names('h', 9);
    const tenHosts = names('p', 10);
    const elevenHosts = names('q', 11);
    await dns.publish(
      ...hosts.map((name, i) => ({ name, type: 'A', value: `198.51.100.${i + 1}` })),
      // 1 include + 3 a + 1 include, then 5 or 6 more a: 10 or 11 DNS-querying terms.
      { name: 'ten.spf.test', type: 'TXT', value: 'v=spf1 include:chain10.spf.test ip4:192.0.2.10 -all' },
      { name: 'eleven.spf.test', type: 'TXT', value: 'v=spf1 include:chain11.spf.test ip4:192.0.2.10 -all' },
      { name: 'chain10.spf.test', type: 'TXT', value: `v=spf1 ${hosts.slice(0, 3).map((h) => `a:${h}`).join(' ')} include:tail10.spf.test -all` },
      { name: 'chain11.spf.test', type: 'TXT', value: `v=spf1 ${hosts.slice(0, 3).map((h) => `a:${h}`).join(' ')} include:tail11.spf.test -all` },
      { name: 'tail10.spf.test', type: 'TXT', value: `v=spf1 ${hosts.slice(3, 8).map((h) => `a:${h}`).join(' ')} -all` },
      { name: 'tail11.spf.test', type: 'TXT', value: `v=spf1 ${hosts.slice(3, 9).map((h) => `a:${h}`).join(' ')} -all` },
      { name: 'void2.spf.test', type: 'TXT', value: 'v=spf1 a:nx1.spf.test a:nx2.spf.test ip4:192.0.2.10 -all' },
      { name: 'void3.spf.test', type: 'TXT', value: 'v=spf1 a:nx1.spf.test a:nx2.spf.test a:nx3.spf.test ip4:192.0.2.10 -all' },
      // 10 and 11 MX hosts, the sender's address on the last one in preference order.
      ...[tenHosts, elevenHosts].flatMap((hosts, set) => hosts.map((name, i) => ({
        name, type: 'A', value: i === hosts.length - 1 ? SENDER : `198.51.100.${100 + 20 * set + i}`,
      }))),
      ...tenHosts.map((name, i) => ({ name: 'mx10.spf.test', type: 'MX', value: `${i + 1} ${name}.` })),
      ...elevenHosts.map((name, i) => ({ name: 'mx11.spf.test', type: 'MX', value: `${i + 1} ${name}.` })),
      { name: 'mx10.spf.test', type: 'TXT', value: 'v=spf1 mx -all' },
      { name: 'mx11.spf.test', type: 'TXT', value: 'v=spf1 mx -all' },
      { name: 'loop1.spf.test', type: 'TXT', value: 'v=spf1 include:loop2.spf.test -all' },
      { name: 'loop2.spf.test', type: 'TXT', value: 'v=spf1 include:loop1.spf.test -all' },
      ...names('slow', SLOW_CHAIN_LENGTH).map((name, i, all) => ({
        name, type: 'TXT', value: i + 1 < all.length ? `v=spf1 include:${all[i + 1]} -all` : 'v=spf1 ip4:192.0.2.10 -all',
      })),
    );
  });

  afterAll(async () => {
    await dns?.stop();
  });

  it('passes with 10 DNS-querying terms and is a permerror at the 11th, counted through includes', async () => {
    expect(await evaluateSpf(resolver, 'ten.spf.test', SENDER)).toMatchObject({ result: 'pass', limit: null, lookups: SPF_LOOKUP_LIMIT });
    expect(await evaluateSpf(resolver, 'eleven.spf.test', SENDER)).toEqual({
      result: 'permerror', reason: 'Too many DNS requests', limit: 'lookups', lookups: SPF_LOOKUP_LIMIT + 1, voidLookups: 0,
    });
  });

  it('allows 2 void lookups and is a permerror at the 3rd', async () => {
    expect(await evaluateSpf(resolver, 'void2.spf.test', SENDER)).toMatchObject({ result: 'pass', voidLookups: 2 });
    expect(await evaluateSpf(resolver, 'void3.spf.test', SENDER)).toMatchObject({
      result: 'permerror', reason: 'Too many void DNS results', limit: 'void_lookups', voidLookups: 3,
    });
  });

  it('fans an mx term out to 10 hosts, and is a permerror when it names more', async () => {
    expect(await evaluateSpf(resolver, 'mx10.spf.test', SENDER)).toMatchObject({ result: 'pass', lookups: 1 });
    expect(await evaluateSpf(resolver, 'mx11.spf.test', SENDER)).toMatchObject({ result: 'permerror', limit: 'mx_hosts', lookups: 1 });
    // An address the mx hosts do not have: every host looked up, none matches.
    expect(await evaluateSpf(resolver, 'mx10.spf.test', '198.51.100.250')).toMatchObject({ result: 'fail' });
  });

  it('ends a looping include chain at the lookup limit', async () => {
    const started = Date.now();
    expect(await evaluateSpf(resolver, 'loop1.spf.test', SENDER)).toMatchObject({ result: 'permerror', limit: 'lookups' });
    expect(Date.now() - started).toBeLessThan(DNS_TIMEOUT_MS);
  });

  it('ends a slow chain within the time bound, and issues no query after it', async () => {
    const proxy = await SlowDnsProxy.start(dns.address, SLOW_QUERY_DELAY_MS);
    try {
      const slow = resolverAt(proxy.address);
      // Unbounded enough, the chain is valid: it passes, after one slow query per record.
      const started = Date.now();
      expect(await evaluateSpf(slow, 'slow1.spf.test', SENDER, 10 * SLOW_CHAIN_LENGTH * SLOW_QUERY_DELAY_MS)).toMatchObject({ result: 'pass' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_CHAIN_LENGTH * SLOW_QUERY_DELAY_MS);

      const boundStarted = Date.now();
      const outcome = await evaluateSpf(slow, 'slow1.spf.test', SENDER, SHORT_BOUND_MS).catch((error: unknown) => error);
      const elapsed = Date.now() - boundStarted;
      expect(outcome).toBeInstanceOf(SpfTimeoutError);
      expect(outcome).toMatchObject({ code: 'ETIMEOUT', message: `SPF evaluation of slow1.spf.test did not finish within ${SHORT_BOUND_MS} ms` });
      expect(elapsed).toBeGreaterThanOrEqual(SHORT_BOUND_MS - 5);
      expect(elapsed).toBeLessThan(SHORT_BOUND_MS + TIMER_SLACK_MS);
      // The query in flight at the deadline may finish; none is started after it.
      const queriesAtDeadline = proxy.queries;
      await new Promise((resolve) => setTimeout(resolve, 3 * SLOW_QUERY_DELAY_MS));
      expect(proxy.queries).toBe(queriesAtDeadline);
    } finally {
      await proxy.close();
    }
  });

  it('throws a DNS failure as "could not ask", not a verdict', async () => {
    // Slower than the resolver waits: every query times out.
    const proxy = await SlowDnsProxy.start(dns.address, 2_000);
    try {
      const outcome = await evaluateSpf(resolverAt(proxy.address, 200), 'ten.spf.test', SENDER).catch((error: unknown) => error);
      expect(outcome).toBeInstanceOf(DnsLookupError);
      expect(outcome).not.toBeInstanceOf(SpfTimeoutError);
      expect(outcome).toMatchObject({ code: 'ETIMEOUT', type: 'TXT' });
    } finally {
      await proxy.close();
    }
  });
});
