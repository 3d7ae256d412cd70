import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Server, type Socket, createServer as createTcpServer } from 'node:net';
import { createServer as createHttpsServer } from 'node:https';
import { type Config, loadConfig } from '../../src/config/config.js';
import { DnsResolver } from '../../src/dns/dns-resolver.js';
import { MtaStsPolicyFetcher } from '../../src/domain-dns/mta-sts-policy-fetcher.js';
import { MailServiceChecksRepository } from '../../src/monitoring/mail-service-checks.repository.js';
import { MailServiceStatusService } from '../../src/monitoring/mail-service-status.service.js';
import { DestinationPolicy } from '../../src/net/destination-policy.js';
import { MailEndpointsService } from '../../src/settings-lookup/mail-endpoints.service.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDnsServer } from '../support/dns-server.js';
import { closedPort } from '../support/mail-listeners.js';
import { waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';
import { TestCa } from '../support/test-certificates.js';

// Every test server here is on loopback, and PRIVATE_DESTINATIONS_ALLOWED is empty (the default,
// not the tests' 127.0.0.0/8): connections a tenant points there must not happen. A worker or
// service that allows loopback then shows each refusal was the policy, not an unreachable server.
const REFUSING = { PRIVATE_DESTINATIONS_ALLOWED: '' };
const ALLOWING = { PRIVATE_DESTINATIONS_ALLOWED: '127.0.0.0/8' };
const LADDER = { OUTBOUND_RETRY_BASE_MS: '100', OUTBOUND_RETRY_MAX_MS: '300', OUTBOUND_RECONCILE_EVERY_MS: '500', OUTBOUND_CONNECT_TIMEOUT_MS: '2000' };
const LOOPBACK = /127\.0\.0\.1|::ffff|:\d{4,5}\b/;

describe('connections to private addresses', () => {
  let dns: TestDnsServer;
  let sink: SmtpSink;
  let api: TestApi;
  let sender: Client;
  let env: Record<string, string>;
  const workers: INestApplicationContext[] = [];

  const startWorker = async (overrides: Record<string, string>) => {
    const worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env, ...overrides })), { logger: false });
    workers.push(worker);
    return worker;
  };
  const attemptsOf = (id: string) => api.db.deliveryAttempt.findMany({ where: { messageId: id }, orderBy: { attemptedAt: 'asc' } });

  beforeAll(async () => {
    // The operator's probe address would hide where tenants' host names resolve.
    delete process.env.MAIL_PROBE_ADDRESS;
    [dns, sink] = await Promise.all([TestDnsServer.start(), SmtpSink.start()]);
    await dns.publish(
      { name: 'private.test', type: 'MX', value: '10 mx1.private.test.' }, { name: 'mx1.private.test', type: 'A', value: '127.0.0.1' },
      { name: 'mapped.test', type: 'MX', value: '10 mx1.mapped.test.' }, { name: 'mx1.mapped.test', type: 'AAAA', value: '::ffff:127.0.0.1' },
      { name: 'mta-sts.sts.test', type: 'A', value: '127.0.0.1' },
      { name: 'mail.active.test', type: 'A', value: '127.0.0.1' },
    );
    env = { ...LADDER, ...REFUSING, DNS_SERVERS: dns.address, OUTBOUND_MX_PORT: String(sink.port), MAIL_HOSTNAME: 'mail.platform.test' };
    api = await TestApi.start(env);
    const tenant = await api.resellerWithDomain('sender.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await tenant.client.post('/v1/mailboxes', { address: 'ann@sender.test', password: GOOD_PASSWORD })).status).toBe(201);
    sender = tenant.client;
  });

  afterAll(async () => {
    for (const worker of workers) await worker.close();
    await api?.close();
    await sink?.close();
    await dns?.stop();
  });

  it('defers mail whose MX resolves to loopback (IPv4, or IPv4-mapped IPv6) with EPRIVATEDEST, and sends the server nothing', async () => {
    const sent = await sender.post('/v1/messages', { from: 'ann@sender.test', to: ['bob@private.test', 'carl@mapped.test'], subject: 'Hi', text: 'Hello' });
    expect(sent.status).toBe(202);
    const id = sent.body.id as string;
    const refusing = await startWorker({});
    // Two tries per recipient: the deferral is retried on the schedule, and refused again.
    const attempts = await waitFor(async () => {
      const rows = await attemptsOf(id);
      return rows.length >= 4 && rows;
    });
    await refusing.close();
    workers.pop();
    for (const attempt of attempts) expect(attempt).toMatchObject({ outcome: 'deferred', host: null, code: null, enhanced: '4.4.4', errorCode: 'EPRIVATEDEST' });
    expect(new Set(attempts.map((a) => a.response))).toEqual(new Set([
      'MX host mx1.private.test resolves only to a private address',
      'MX host mx1.mapped.test resolves only to a private address',
    ]));
    const recipients = await api.db.messageRecipient.findMany({ where: { messageId: id } });
    expect(recipients.map((r) => r.status)).toEqual(['deferred', 'deferred']);
    expect(sink.received).toEqual([]);
    expect(sink.offers.size).toBe(0);

    // What the tenant reads names the MX host and not where it points.
    const view = await sender.get(`/v1/messages/${id}`);
    expect(view.status).toBe(200);
    expect(JSON.stringify(view.body)).toContain('EPRIVATEDEST');
    expect(JSON.stringify(view.body)).not.toMatch(LOOPBACK);

    // The same message, once loopback is allowed, reaches the same server at that address.
    await startWorker(ALLOWING);
    await waitFor(async () => (await api.db.message.findUniqueOrThrow({ where: { id } })).status === 'completed');
    expect(sink.received.map((m) => m.to).sort()).toEqual([['bob@private.test'], ['carl@mapped.test']]);
  });

  it('does not fetch an MTA-STS policy from a loopback address', async () => {
    const ca = TestCa.create();
    let requests = 0;
    const https = createHttpsServer(ca.issue(['mta-sts.sts.test'], 30), (_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/plain' }).end('version: STSv1\r\nmode: none\r\nmax_age: 86400\r\n');
    });
    await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', resolve));
    try {
      const config = (allowing: boolean) => loadConfig({
        ...process.env, ...env, ...(allowing ? ALLOWING : {}),
        MTA_STS_FETCH_PORT: String((https.address() as { port: number }).port), MTA_STS_FETCH_CA_FILE: ca.caFile,
      });
      const fetcher = (c: Config) => new MtaStsPolicyFetcher(c, new DestinationPolicy(c, new DnsResolver(c)));
      expect(await fetcher(config(false)).fetch('mta-sts.sts.test')).toEqual({ kind: 'unreachable', reason: 'mta-sts.sts.test resolves only to a private address' });
      expect(requests).toBe(0);
      expect(await fetcher(config(true)).fetch('mta-sts.sts.test')).toMatchObject({ kind: 'answer', status: 200 });
      expect(requests).toBe(1);
      // The service the API runs is the refusing one.
      expect(await api.app.get(MtaStsPolicyFetcher).fetch('mta-sts.sts.test')).toMatchObject({ kind: 'unreachable' });
      expect(requests).toBe(1);
    } finally {
      await new Promise((resolve) => https.close(resolve));
    }
  });

  it('probes no host name of a pending domain, and no tenant host name that resolves to loopback', async () => {
    const connections: Socket[] = [];
    const listener: Server = createTcpServer((socket) => (connections.push(socket), socket.destroy()));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as { port: number }).port;
    try {
      const service = (implicitTlsPort: number) => ({ host: 'mail.platform.test', implicitTls: true, implicitTlsPort, starttls: false });
      const endpoints = { imap: service(port), pop3: service(await closedPort()), smtp: service(await closedPort()) };
      expect((await api.admin.put('/v1/mail-services/endpoints', endpoints)).status).toBe(200);
      const tenant = await api.resellerWithDomain('active.test');
      expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
      expect((await tenant.client.patch(`/v1/domains/${tenant.domainId}`, { mailHostnames: { imap: 'mail.active.test' } })).status).toBe(200);
      const pending = await api.resellerWithDomain('pending.test');
      expect((await pending.client.patch(`/v1/domains/${pending.domainId}`, { mailHostnames: { imap: 'mail.active.test', smtp: 'mail.pending.test' } })).status).toBe(200);

      const res = await api.admin.get('/v1/mail-services/status');
      expect(res.status).toBe(200);
      const hosts = res.body.endpoints.map((e: { protocol: string; host: string }) => `${e.protocol} ${e.host}`);
      expect(hosts).toEqual(['imap mail.platform.test', 'imap mail.active.test', 'pop3 mail.platform.test', 'smtp mail.platform.test']);
      const active = res.body.endpoints[1];
      expect(active).toMatchObject({ status: 'error', greeting: null, certificate: null });
      expect(active.problems).toEqual([{ code: 'private_destination', severity: 'error', message: 'mail.active.test resolves only to a private address: it is not probed.' }]);
      expect(JSON.stringify(res.body)).not.toContain('127.0.0.1');
      expect(await api.db.mailServiceCheck.count({ where: { host: 'mail.pending.test' } })).toBe(0);
      expect(await api.db.mailServiceCheck.findFirst({ where: { host: 'mail.active.test' } })).toMatchObject({ status: 'error', problems: active.problems });
      expect(connections).toHaveLength(0);

      // Allowed, the same host name is resolved through DNS_SERVERS and probed at its address.
      const allowing = loadConfig({ ...process.env, ...env, ...ALLOWING });
      const probe = new MailServiceStatusService(
        api.app.get(MailEndpointsService), api.app.get(MailServiceChecksRepository), new DestinationPolicy(allowing, api.app.get(DnsResolver)), allowing,
      );
      const report = await probe.probeAndRecord();
      expect(report.endpoints[1]).toMatchObject({ host: 'mail.active.test', status: 'error' });
      expect(report.endpoints[1].problems.map((p) => p.code)).not.toContain('private_destination');
      expect(connections.length).toBeGreaterThan(0);
    } finally {
      await new Promise((resolve) => listener.close(resolve));
    }
  });
});
