import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/config.js';
import { MAINTENANCE_QUEUE } from '../../src/maintenance/maintenance.queue.js';
import { MAIL_SERVICE_STATUS_QUEUE, MailServiceStatusJobs } from '../../src/monitoring/mail-service-status.queue.js';
import { PROBE_MAIL_SERVICES_EVERY_MS } from '../../src/monitoring/monitoring.constants.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { TestApi } from '../support/api.js';
import { type Listener, closedPort, startGreetingListener, startSmtpListener } from '../support/mail-listeners.js';
import { waitFor } from '../support/processes.js';
import { TestCa } from '../support/test-certificates.js';

const HOST = 'mail.probe.test';

// The live check of what is advertised, against real listeners on loopback: IMAP and POP3
// speaking their greetings and STARTTLS, a real SMTP server, and certificates from a test CA.
describe('mail services status', () => {
  let api: TestApi;
  const listeners: Record<string, Listener> = {};
  const ports: Record<string, number> = {};

  const advertise = (imap: object, pop3: object, smtp: object) =>
    api.admin.put('/v1/mail-services/endpoints', { imap: { host: HOST, ...imap }, pop3: { host: HOST, ...pop3 }, smtp: { host: HOST, ...smtp } });
  const summary = (endpoints: { protocol: string; encryption: string; host: string; status: string; problems: { code: string }[] }[]) =>
    endpoints.map((e) => [e.protocol, e.encryption, e.host, e.status, e.problems.map((p) => p.code)]);

  beforeAll(async () => {
    const ca = TestCa.create();
    const valid = ca.issue([HOST], 90);
    const expiringSoon = ca.issue([HOST], 5);
    Object.assign(listeners, {
      imaps: await startGreetingListener('imap', 'implicit', valid),
      imap: await startGreetingListener('imap', 'starttls', valid),
      pop3s: await startGreetingListener('pop3', 'implicit', valid),
      pop3: await startGreetingListener('pop3', 'starttls', valid),
      submissions: await startSmtpListener('implicit', valid),
      submission: await startSmtpListener('starttls', valid),
      submissionsExpiring: await startSmtpListener('implicit', expiringSoon),
      submissionNoAuth: await startSmtpListener('starttls', valid, { auth: false }),
    });
    for (const [name, listener] of Object.entries(listeners)) ports[name] = listener.port;
    ports.closed = await closedPort();
    Object.assign(process.env, {
      MAIL_PROBE_ADDRESS: '127.0.0.1',
      MAIL_PROBE_CA_FILE: ca.caFile,
      MAIL_PROBE_TIMEOUT_MS: '1000',
    });
    api = await TestApi.start();
  });
  afterAll(async () => {
    await api?.close();
    await Promise.all(Object.values(listeners).map((listener) => listener.close()));
  });

  it('reports every advertised endpoint healthy when each speaks what is advertised', async () => {
    await advertise(
      { implicitTls: true, implicitTlsPort: ports.imaps, starttls: true, starttlsPort: ports.imap },
      { implicitTls: true, implicitTlsPort: ports.pop3s, starttls: true, starttlsPort: ports.pop3 },
      { implicitTls: true, implicitTlsPort: ports.submissions, starttls: true, starttlsPort: ports.submission },
    );
    const res = await api.admin.get('/v1/mail-services/status');
    expect(res.status).toBe(200);
    expect(res.body.status).toBe('ok');
    expect(summary(res.body.endpoints)).toEqual([
      ['imap', 'ssl', HOST, 'ok', []],
      ['imap', 'starttls', HOST, 'ok', []],
      ['pop3', 'ssl', HOST, 'ok', []],
      ['pop3', 'starttls', HOST, 'ok', []],
      ['smtp', 'ssl', HOST, 'ok', []],
      ['smtp', 'starttls', HOST, 'ok', []],
    ]);
    expect(res.body.endpoints.map((e: { greeting: string }) => e.greeting.slice(0, 4))).toEqual(['* OK', '* OK', '+OK ', '+OK ', '220 ', '220 ']);
    expect(res.body.endpoints[0].certificate).toMatchObject({ subject: HOST, altNames: [HOST], issuer: 'Postmaster Test CA', daysLeft: 89 });
    const rows = await api.db.mailServiceCheck.findMany({ orderBy: [{ protocol: 'asc' }, { encryption: 'asc' }] });
    expect(rows.map((r) => [r.protocol, r.encryption, r.port, r.status, r.problems])).toEqual([
      ['imap', 'ssl', ports.imaps, 'ok', []], ['imap', 'starttls', ports.imap, 'ok', []],
      ['pop3', 'ssl', ports.pop3s, 'ok', []], ['pop3', 'starttls', ports.pop3, 'ok', []],
      ['smtp', 'ssl', ports.submissions, 'ok', []], ['smtp', 'starttls', ports.submission, 'ok', []],
    ]);
    expect(rows[0].certificateExpiresAt!.getTime()).toBe(new Date(res.body.endpoints[0].certificate.validTo).getTime());
  });

  it('probes a host name an active domain advertises and finds the certificate does not cover it; a pending domain\'s is not probed', async () => {
    const domain = await api.admin.post('/v1/domains', { name: 'customer.test' });
    expect((await api.admin.patch(`/v1/domains/${domain.body.id}`, { status: 'active', mailHostnames: { imap: 'mail.customer.test' } })).status).toBe(200);
    const pending = await api.admin.post('/v1/domains', { name: 'unproven.test' });
    expect((await api.admin.patch(`/v1/domains/${pending.body.id}`, { mailHostnames: { imap: 'mail.unproven.test', smtp: 'mail.unproven.test' } })).status).toBe(200);
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: pending.body.id } })).status).toBe('pending_verification');
    const res = await api.admin.get('/v1/mail-services/status');
    expect(res.body.endpoints.filter((e: { host: string }) => e.host === 'mail.unproven.test')).toEqual([]);
    expect(await api.db.mailServiceCheck.count({ where: { host: 'mail.unproven.test' } })).toBe(0);
    expect(res.body.status).toBe('error');
    const customer = res.body.endpoints.filter((e: { host: string }) => e.host === 'mail.customer.test');
    expect(summary(customer)).toEqual([
      ['imap', 'ssl', 'mail.customer.test', 'error', ['certificate_name_mismatch']],
      ['imap', 'starttls', 'mail.customer.test', 'error', ['certificate_name_mismatch']],
    ]);
    expect(customer[0].problems[0].message).toBe(`The certificate is for ${HOST}, not mail.customer.test.`);
    expect(await api.db.mailServiceCheck.count({ where: { host: 'mail.customer.test', status: 'error' } })).toBe(2);
    await api.admin.patch(`/v1/domains/${domain.body.id}`, { mailHostnames: { imap: null } });
    await api.admin.delete(`/v1/domains/${pending.body.id}`);
  });

  it('reports each mismatch with a clear message: mode mix-ups, a closed port, an expiring certificate, no AUTH', async () => {
    await advertise(
      // The two IMAP ports swapped: implicit TLS advertised on the STARTTLS port and vice versa.
      { implicitTls: true, implicitTlsPort: ports.imap, starttls: true, starttlsPort: ports.imaps },
      { implicitTls: true, implicitTlsPort: ports.closed, starttls: false },
      { implicitTls: true, implicitTlsPort: ports.submissionsExpiring, starttls: true, starttlsPort: ports.submissionNoAuth },
    );
    const res = await api.admin.get('/v1/mail-services/status');
    expect(res.body.status).toBe('error');
    expect(summary(res.body.endpoints)).toEqual([
      ['imap', 'ssl', HOST, 'error', ['plaintext_not_implicit_tls']],
      ['imap', 'starttls', HOST, 'error', ['implicit_tls_not_starttls']],
      ['pop3', 'ssl', HOST, 'error', ['connection_refused']],
      ['smtp', 'ssl', HOST, 'warning', ['certificate_expires_soon']],
      ['smtp', 'starttls', HOST, 'error', ['smtp_auth_not_offered']],
    ]);
    const messages = res.body.endpoints.map((e: { problems: { message: string }[] }) => e.problems[0].message);
    expect(messages[0]).toBe(`Port ${ports.imap} greets in plaintext ("* OK [CAPABILITY IMAP4rev1 STARTTLS] test IMAP ready") instead of starting TLS: it is advertised as implicit TLS but looks like a STARTTLS port.`);
    expect(messages[1]).toBe(`Port ${ports.imaps} sends no greeting but accepts a TLS handshake: it speaks implicit TLS, yet STARTTLS is advertised.`);
    // The host name, not the address connected to (MAIL_PROBE_ADDRESS here).
    expect(messages[2]).toBe(`Port ${ports.closed} on ${HOST} is closed (connection refused).`);
    expect(messages[3]).toMatch(/^The certificate expires on \d{4}-\d\d-\d\dT[\d:.]+Z, in 4 days: renew it\.$/);
    expect(res.body.endpoints[3].problems[0].severity).toBe('warning');
    expect(messages[4]).toBe('The server offers no AUTH mechanism after TLS: clients cannot log in to send.');

    // The table holds the latest result of what is advertised now, nothing older.
    const rows = await api.db.mailServiceCheck.findMany();
    expect(rows.map((r) => [r.protocol, r.encryption, r.port, r.status]).sort()).toEqual([
      ['imap', 'ssl', ports.imap, 'error'], ['imap', 'starttls', ports.imaps, 'error'], ['pop3', 'ssl', ports.closed, 'error'],
      ['smtp', 'ssl', ports.submissionsExpiring, 'warning'], ['smtp', 'starttls', ports.submissionNoAuth, 'error'],
    ].sort());
  });

  it('runs as a scheduled worker job that records the same results', async () => {
    await api.db.mailServiceCheck.deleteMany();
    const worker: INestApplicationContext = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig()), { logger: false });
    const queue = worker.get<Queue>(getQueueToken(MAIL_SERVICE_STATUS_QUEUE));
    try {
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers).toEqual([expect.objectContaining({ key: MailServiceStatusJobs.probe, every: PROBE_MAIL_SERVICES_EVERY_MS })]);
      const job = await queue.add(MailServiceStatusJobs.probe, {});
      const result = await waitFor(async () => (await queue.getJob(job.id!))?.returnvalue);
      expect(result).toEqual({ status: 'error', endpoints: 5, problems: 5 });
      expect(await api.db.mailServiceCheck.count()).toBe(5);
      expect(await api.db.mailServiceCheck.count({ where: { status: 'warning', port: ports.submissionsExpiring } })).toBe(1);
    } finally {
      // The worker also scheduled its other queues; leave no schedule behind in this Redis prefix.
      await queue.obliterate({ force: true });
      await worker.get<Queue>(getQueueToken(MAINTENANCE_QUEUE)).obliterate({ force: true });
      await worker.close();
    }
  });
});
