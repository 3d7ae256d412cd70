import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { SENDING_MONITOR_QUEUE, SendingMonitorJobs } from '../../src/activity/sending-monitor.queue.js';
import { AlertsService } from '../../src/alerts/alerts.service.js';
import { loadConfig } from '../../src/config/config.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// The sending monitor end to end: messages accepted through POST /v1/messages, an in-process
// worker (delivery and the monitor) relaying to a real SMTP server on loopback. Thresholds are
// small: a spike is 5 × the mailbox's hourly average and at least 3 messages; a bounce rate above
// 20 % over at least 20 recipients.
const RULES = {
  volumeSpike: { multiplier: 5, minMessages: 3, minRecipients: 1000 },
  hourlyCap: { messages: 1000, recipients: 10_000 },
  bounceRate: { percent: 20, minRecipients: 20 },
};
const SETTLED_MS = 20_000;

/** A received message as a person reads it: header fields unfolded, a quoted-printable body decoded. */
function readable(raw: Buffer): string {
  const text = raw.toString('utf8');
  const end = text.indexOf('\r\n\r\n');
  const head = text.slice(0, end).replace(/\r\n[ \t]+/g, ' ');
  const body = text.slice(end + 4).replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return `${head}\r\n\r\n${body}`;
}

describe('outgoing-mail monitoring', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;
  let queue: Queue;
  let tenant: { id: string; client: Client; domainId: string };
  const mailboxes: Record<string, string> = {};
  // far.test defers every recipient until the test lets it accept (so mail waits, and can be held).
  let farAccepts = false;

  const send = (from: string, to: string) => tenant.client.post('/v1/messages', { from, to: [to], subject: 'Hi', text: 'Hello' });
  /** Runs one monitor job to completion in the worker and returns what it found. */
  const runJob = async (name: string, data: object = {}) => {
    const job = await queue.add(name, data);
    await waitFor(async () => (await queue.getJob(job.id!))?.isCompleted(), SETTLED_MS);
    return (await queue.getJob(job.id!))!.returnvalue;
  };
  /** Messages sent long ago, for a mailbox's history: one per hour `hoursAgo`, each to one recipient. */
  const seed = async (mailbox: string, hoursAgo: number[], recipient: { status: 'delivered' | 'bounced'; finalHoursAgo: number }[]) => {
    const address = (await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxes[mailbox] } })).address;
    for (const [i, hours] of hoursAgo.entries()) {
      const r = recipient[i] ?? { status: 'delivered', finalHoursAgo: hours };
      await api.db.$executeRaw`
        WITH m AS (
          INSERT INTO messages (id, kind, reseller_id, domain_id, mailbox_id, mail_from, from_header, subject, message_id_header,
                                raw, size, status, expires_at, created_at, updated_at)
          VALUES (gen_random_uuid(), 'message', ${tenant.id}::uuid, ${tenant.domainId}::uuid, ${mailboxes[mailbox]}::uuid, ${address}, ${address},
                  'old', '<' || gen_random_uuid() || '@spike.test>', '\\x00'::bytea, 1, 'completed', now(),
                  now() - ${hours} * interval '1 hour', now())
          RETURNING id)
        INSERT INTO message_recipients (id, message_id, address, field, domain, status, final_at)
        SELECT gen_random_uuid(), m.id, 'old@elsewhere.test', 'to', 'elsewhere.test', ${r.status}::"RecipientStatus", now() - ${r.finalHoursAgo} * interval '1 hour' FROM m`;
    }
  };

  beforeAll(async () => {
    sink = await SmtpSink.start();
    sink.rcpt = (address) => (address.endsWith('@far.test') && !farAccepts ? { code: 451, message: '4.7.1 Try again later' } : 'accept');
    const env = {
      OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      OUTBOUND_RETRY_BASE_MS: '300', OUTBOUND_RETRY_MAX_MS: '300', OUTBOUND_RECONCILE_EVERY_MS: '500',
      MAIL_HOSTNAME: 'mail.postmaster.test', SENDING_RULES: JSON.stringify(RULES), SENDING_MONITOR_EVERY_MS: '3600000',
      PLATFORM_NOTIFICATION_EMAIL: 'ops@platform.test',
    };
    api = await TestApi.start(env);
    tenant = await api.resellerWithDomain('spike.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    for (const name of ['ann', 'bob', 'carl', 'dave']) {
      const res = await tenant.client.post('/v1/mailboxes', { address: `${name}@spike.test`, password: GOOD_PASSWORD });
      expect(res.status).toBe(201);
      mailboxes[name] = res.body.id;
    }
    // The tenant names its own notification address.
    expect((await tenant.client.put('/v1/notification-settings', { email: 'Alerts@Agency.test' })).body).toEqual({ email: 'alerts@agency.test' });
    // Ann is a month old and sent one message an hour for the last week: an average of 1 an hour
    // over the 167 hours before the last one, so the 6th message within an hour is a spike.
    await api.db.mailbox.update({ where: { id: mailboxes.ann }, data: { createdAt: new Date(Date.now() - 30 * 24 * 3_600_000) } });
    await seed('ann', Array.from({ length: 167 }, (_, i) => i + 1.5), []);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env })), { logger: false });
    queue = worker.get<Queue>(getQueueToken(SENDING_MONITOR_QUEUE));
  });

  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  it('suspends a mailbox sending above 5 × its own baseline: its mail held, an alert, an audit entry and an e-mail to the tenant', async () => {
    const spike: string[] = [];
    for (let i = 1; i <= 5; i++) {
      const res = await send('ann@spike.test', `r${i}@far.test`);
      expect(res.status).toBe(202);
      spike.push(res.body.id);
    }
    // One below the threshold: a check finds nothing.
    expect(await runJob(SendingMonitorJobs.checkMailbox, { mailboxId: mailboxes.ann })).toEqual({ volume: 0 });
    const activity = await tenant.client.get(`/v1/activity?mailboxId=${mailboxes.ann}`);
    expect(activity.body.sending).toMatchObject({
      lastHour: { messages: 5, recipients: 5 },
      baseline: { days: 7, hours: 167, messagesPerHour: 1, recipientsPerHour: 1 },
      spikeThreshold: { messages: 6, recipients: 1000 },
    });
    expect(activity.body.sending.hourly).toHaveLength(24);
    expect(activity.body.sending.hourly.at(-1)).toMatchObject({ messages: 5, recipients: 5 });
    expect(await api.db.alert.count({ where: { mailboxId: mailboxes.ann } })).toBe(0);

    // The 6th message reaches the threshold: acceptance asks the worker to check at once.
    const sixth = await send('ann@spike.test', 'r6@far.test');
    expect(sixth.status).toBe(202);
    spike.push(sixth.body.id);
    const mailbox = await waitFor(async () => {
      const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxes.ann } });
      return row.sendingSuspendedAt ? row : undefined;
    }, SETTLED_MS);
    expect(mailbox.sendingSuspendedReason).toMatch(/^sending\.volume_spike: ann@spike\.test sent 6 messages in the last hour/);

    const refused = await send('ann@spike.test', 'r7@far.test');
    expect([refused.status, refused.body.code]).toEqual([403, 'sending_suspended']);
    // Deferred by far.test so far, now held: none reaches the sink until the suspension is lifted.
    await waitFor(async () => (await api.db.message.count({ where: { id: { in: spike }, status: 'held' } })) === 6, SETTLED_MS);
    expect(sink.received.filter((m) => m.to.some((a) => a.endsWith('@far.test')))).toEqual([]);
    expect(await api.db.message.count({ where: { mailboxId: mailboxes.ann, kind: 'message', createdAt: { gt: new Date(Date.now() - 3_600_000) } } })).toBe(6);

    const alert = await api.db.alert.findFirstOrThrow({ where: { mailboxId: mailboxes.ann } });
    expect(alert).toMatchObject({ rule: 'sending.volume_spike', severity: 'critical', state: 'open', resellerId: tenant.id, domainId: tenant.domainId });
    expect(alert.evidence).toMatchObject({
      address: 'ann@spike.test',
      lastHour: { messages: 6, recipients: 6 },
      baseline: { days: 7, hours: 167, messages: 167, messagesPerHour: 1 },
      findings: [{ rule: 'volumeSpike', metric: 'messages', count: 6, threshold: 6 }],
      occurrences: 1,
    });
    expect(alert.actions).toEqual([{ type: 'suspend_sending', mailboxId: mailboxes.ann, at: expect.any(String) }]);
    expect((await tenant.client.get(`/v1/alerts?rule=sending.volume_spike`)).body.items.map((a: { id: string }) => a.id)).toEqual([alert.id]);
    const audit = await api.db.auditEntry.findFirstOrThrow({ where: { targetId: mailboxes.ann, action: 'mailbox.suspend_sending' } });
    expect(audit).toMatchObject({ actorType: 'monitor', resellerId: tenant.id, after: { reason: mailbox.sendingSuspendedReason } });

    // The e-mail: Postmaster's own message, relayed to the tenant's notification address.
    const [mail] = await waitFor(async () => sink.to('alerts@agency.test').length > 0 && sink.to('alerts@agency.test'), SETTLED_MS);
    expect(mail.from).toBe('postmaster@mail.postmaster.test');
    const text = readable(mail.raw);
    expect(text).toMatch(/^Subject: \[Postmaster critical\] sending\.volume_spike on ann@spike\.test: ann@spike\.test sent 6 messages in the last hour, more than 5 times its hourly average of 1\r$/m);
    expect(text).toMatch(/^Auto-Submitted: auto-generated/m);
    expect(text).toContain('Rule:     sending.volume_spike');
    expect(text).toContain('Mailbox:  ann@spike.test');
    expect(text).toContain(`GET /v1/alerts/${alert.id}`);
    expect(text).toContain(`PATCH /v1/mailboxes/${mailboxes.ann} {"sendingSuspended": false}`);
    expect(text).toContain('"threshold": 6');
    const notification = await api.db.message.findFirstOrThrow({ where: { kind: 'notification', resellerId: tenant.id } });
    expect(notification).toMatchObject({ mailboxId: null, domainId: null, mailFrom: 'postmaster@mail.postmaster.test' });
    await waitFor(async () => (await api.db.message.findUniqueOrThrow({ where: { id: notification.id } })).status === 'completed', SETTLED_MS);
  });

  it('lifting the suspension is audited, releases the held mail, and that mail does not suspend the mailbox again', async () => {
    farAccepts = true;
    const lifted = await tenant.client.patch(`/v1/mailboxes/${mailboxes.ann}`, { sendingSuspended: false });
    expect(lifted.status).toBe(200);
    expect(await api.db.auditEntry.findFirst({ where: { targetId: mailboxes.ann, action: 'mailbox.resume_sending', actorType: 'api_key' } })).not.toBeNull();
    const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxes.ann } });
    expect(row).toMatchObject({ sendingSuspendedAt: null, sendingResumedAt: expect.any(Date) });

    await waitFor(async () => (await api.db.message.count({ where: { mailboxId: mailboxes.ann, status: 'completed', subject: 'Hi' } })) === 6, SETTLED_MS);
    expect(sink.received.filter((m) => m.to.some((a) => a.endsWith('@far.test'))).flatMap((m) => m.to).sort()).toEqual(
      ['r1', 'r2', 'r3', 'r4', 'r5', 'r6'].map((r) => `${r}@far.test`));
    // The six are still in the last hour, but from before the lift: nothing to judge.
    expect(await runJob(SendingMonitorJobs.checkMailbox, { mailboxId: mailboxes.ann })).toEqual({ volume: 0 });
    expect((await send('ann@spike.test', 'r8@far.test')).status).toBe(202);
    expect((await api.db.mailbox.findUniqueOrThrow({ where: { id: mailboxes.ann } })).sendingSuspendedAt).toBeNull();
  });

  it('the sweep suspends a mailbox whose recipients bounce above 20 %, and not one at exactly 20 % or with too few recipients', async () => {
    // Sent 3 hours ago (outside the volume rules' hour), settled 2 hours ago.
    const settled = (bounced: number, total: number) =>
      Array.from({ length: total }, (_, i) => ({ status: i < bounced ? 'bounced' as const : 'delivered' as const, finalHoursAgo: 2 }));
    const threeHoursAgo = (n: number) => Array(n).fill(3);
    await seed('bob', threeHoursAgo(20), settled(5, 20)); // 25 %: fires
    await seed('carl', threeHoursAgo(19), settled(19, 19)); // every one bounced, but only 19
    await seed('dave', threeHoursAgo(20), settled(4, 20)); // exactly 20 %

    expect(await runJob(SendingMonitorJobs.sweep)).toEqual({ volume: 0, bounceRate: 1 });
    const alert = await api.db.alert.findFirstOrThrow({ where: { rule: 'sending.bounce_rate' } });
    expect(alert).toMatchObject({ mailboxId: mailboxes.bob, severity: 'warning', summary: '5 of 20 recipients of bob@spike.test bounced in the last 24 h (25 %)' });
    expect(alert.evidence).toMatchObject({ settled: 20, bounced: 5, percent: 25, rule: { percent: 20, minRecipients: 20, windowHours: 24 } });
    const suspended = await api.db.mailbox.findMany({ where: { sendingSuspendedAt: { not: null } }, select: { address: true } });
    expect(suspended).toEqual([{ address: 'bob@spike.test' }]);
    expect(await api.db.alert.count({ where: { mailboxId: { in: [mailboxes.carl, mailboxes.dave] } } })).toBe(0);
    const mail = await waitFor(async () => sink.to('alerts@agency.test').map((m) => readable(m.raw)).find((m) => m.includes('sending.bounce_rate on bob@spike.test')), SETTLED_MS);
    expect(mail).toContain('Actions:  outgoing mail suspended, waiting messages held');

    // A second sweep: bob is suspended (not judged again), no second alert or e-mail.
    expect(await runJob(SendingMonitorJobs.sweep)).toEqual({ volume: 0, bounceRate: 0 });
    expect(await api.db.alert.count({ where: { rule: 'sending.bounce_rate' } })).toBe(1);
  });
});

describe('alert notifications', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    const env = { OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`, MAIL_HOSTNAME: 'mail.postmaster.test', PLATFORM_NOTIFICATION_EMAIL: 'ops@platform.test', NOTIFICATION_FROM: 'alerts@postmaster.test' };
    api = await TestApi.start(env);
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(loadConfig({ ...process.env, ...env })), { logger: false });
  });
  afterAll(async () => {
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  it('e-mails a new platform alert to PLATFORM_NOTIFICATION_EMAIL once, not its refreshes, and nothing below NOTIFY_MIN_SEVERITY', async () => {
    const alerts = api.app.get(AlertsService);
    const raise = (severity: 'info' | 'critical', key: string) => alerts.raise({
      resellerId: null, rule: 'test.platform', severity, summary: `Something ${key}`, evidence: { key }, dedupeKey: `test.platform:${key}`,
    });
    await raise('critical', 'a');
    await raise('critical', 'a');
    await raise('info', 'b');
    expect(await api.db.message.count({ where: { kind: 'notification' } })).toBe(1);
    const [mail] = await waitFor(async () => sink.to('ops@platform.test').length > 0 && sink.to('ops@platform.test'), SETTLED_MS);
    expect(mail.from).toBe('alerts@postmaster.test');
    expect(readable(mail.raw)).toMatch(/^Subject: \[Postmaster critical\] test\.platform: Something a\r$/m);
    expect(await api.db.message.count({ where: { kind: 'notification' } })).toBe(1);
  });

  it('a tenant reads and sets its own notification address; a platform admin sets it on the reseller; a read-only key cannot', async () => {
    const tenant = await api.reseller({}, 'Agency');
    expect((await tenant.client.get('/v1/notification-settings')).body).toEqual({ email: null });
    expect((await tenant.client.put('/v1/notification-settings', { email: 'noc@agency.test' })).body).toEqual({ email: 'noc@agency.test' });
    expect((await api.db.reseller.findUniqueOrThrow({ where: { id: tenant.id } })).notificationEmail).toBe('noc@agency.test');
    expect(await api.db.auditEntry.findFirstOrThrow({ where: { action: 'reseller.notifications_update', resellerId: tenant.id } }))
      .toMatchObject({ before: { email: null }, after: { email: 'noc@agency.test' } });

    const bad = await tenant.client.put('/v1/notification-settings', { email: 'not an address' });
    expect([bad.status, bad.body.errors?.[0]?.field]).toEqual([422, 'email']);
    const readOnly = await api.keyLike(tenant.client, { readOnly: true });
    expect((await readOnly.put('/v1/notification-settings', { email: null })).status).toBe(403);
    expect((await readOnly.get('/v1/notification-settings')).body).toEqual({ email: 'noc@agency.test' });

    const patched = await api.admin.patch(`/v1/resellers/${tenant.id}`, { notificationEmail: 'ops@agency.test' });
    expect([patched.status, patched.body.notificationEmail]).toEqual([200, 'ops@agency.test']);
    expect((await api.db.reseller.findUniqueOrThrow({ where: { id: tenant.id } })).notificationEmail).toBe('ops@agency.test');
    const created = await api.admin.post('/v1/resellers', { name: 'With address', notificationEmail: 'x@with.test' });
    expect([created.status, created.body.notificationEmail]).toEqual([201, 'x@with.test']);

    // The platform's own: PLATFORM_NOTIFICATION_EMAIL until set through the API, and back when cleared.
    expect((await api.admin.get('/v1/notification-settings')).body).toEqual({ email: 'ops@platform.test' });
    expect((await api.admin.put('/v1/notification-settings', { email: 'noc@platform.test' })).body).toEqual({ email: 'noc@platform.test' });
    expect((await api.db.platformSetting.findUniqueOrThrow({ where: { key: 'notifications.email' } })).value).toBe('noc@platform.test');
    expect((await api.admin.put('/v1/notification-settings', { email: null })).body).toEqual({ email: 'ops@platform.test' });
  });
});
