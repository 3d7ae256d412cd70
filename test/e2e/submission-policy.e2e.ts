import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import nodemailer from 'nodemailer';
import { loadConfig } from '../../src/config/config.js';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';
import { PolicyModule } from '../../src/policy/policy.module.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { TestDovecot } from '../support/dovecot.js';
import { TestPostfix } from '../support/postfix.js';
import { freePort, waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// Mail programs through a real Postfix (product part 10): Debian's Postfix with the generated
// main.cf/master.cf and sender map, SASL by a real Dovecot from the generated SQL configuration,
// the policy service in-process, an in-process worker (the sending monitor) and an SMTP sink as
// relay. A spike is 8 messages in an hour from a mailbox without history.
const RULES = { volumeSpike: { multiplier: 5, minMessages: 8, minRecipients: 1000 }, hourlyCap: { messages: 1000, recipients: 10_000 } };
const SETTLED_MS = 15_000;

type SmtpError = Error & { code?: string; responseCode?: number; response?: string };

describe('submission through Postfix with the policy service', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let worker: INestApplicationContext;
  let policy: INestApplicationContext;
  let dovecot: TestDovecot;
  let postfix: TestPostfix;
  let tenant: { id: string; client: Client; domainId: string };
  const ids: Record<string, string> = {};

  const transport = (user: string, pool = false) => nodemailer.createTransport({
    host: '127.0.0.1', port: postfix.submissionPort, secure: false, ignoreTLS: true, auth: { user, pass: GOOD_PASSWORD },
    ...(pool && { pool: true, maxConnections: 1, maxMessages: Infinity }),
  });
  const submit = (user: string, from: string, to = 'friend@remote.test') => transport(user).sendMail({ from, to, subject: `From ${from}`, text: 'Hello' });
  const failure = async (sending: Promise<unknown>): Promise<SmtpError> => sending.then(() => { throw new Error('accepted'); }, (error: SmtpError) => error);
  const submissions = (mailbox: string) => api.db.mailSubmission.findMany({ where: { mailboxId: ids[mailbox] } });

  beforeAll(async () => {
    sink = await SmtpSink.start();
    const [policyPort, saslPort] = [await freePort(), await freePort()];
    const env = {
      POLICY_PORT: String(policyPort), OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}`,
      SENDING_RULES: JSON.stringify(RULES), SENDING_MONITOR_EVERY_MS: '3600000', MAIL_HOSTNAME: 'mail.postmaster.test',
    };
    api = await TestApi.start(env);
    const config = (await api.admin.get<MailServicesConfig>('/v1/mail-services/config')).body;
    expect(config.postfix.mainCf).toContain(`inet:127.0.0.1:${policyPort},`);
    tenant = await api.resellerWithDomain('a.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    for (const name of ['ann', 'bob', 'carl', 'dave', 'eve', 'fay']) {
      const res = await tenant.client.post('/v1/mailboxes', { address: `${name}@a.test`, password: GOOD_PASSWORD });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
    expect((await tenant.client.post('/v1/aliases', { source: 'info@a.test', destinations: ['ann@a.test'] })).status).toBe(201);
    const other = await api.resellerWithDomain('b.test');
    expect((await api.admin.patch(`/v1/domains/${other.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await other.client.post('/v1/mailboxes', { address: 'zed@b.test', password: GOOD_PASSWORD })).status).toBe(201);

    const config2 = loadConfig({ ...process.env, ...env });
    worker = await NestFactory.createApplicationContext(WorkerModule.forRoot(config2), { logger: false });
    policy = await NestFactory.createApplicationContext(PolicyModule.forRoot(config2), { logger: false });
    dovecot = await TestDovecot.start(config, { authPort: saslPort });
    postfix = await TestPostfix.start(config, { saslPort, relayPort: sink.port });
  }, 60_000);

  afterAll(async () => {
    await postfix?.stop();
    await dovecot?.stop();
    await policy?.close();
    await worker?.close();
    await api?.close();
    await sink?.close();
  });

  it('relays a message a mailbox sends as itself or as an alias of its own, and records each for the monitor', async () => {
    await submit('ann@a.test', 'ann@a.test', 'one@remote.test');
    await submit('ann@a.test', 'info@a.test', 'two@remote.test');
    await waitFor(async () => sink.to('one@remote.test').length === 1 && sink.to('two@remote.test').length === 1, SETTLED_MS);
    expect(sink.to('one@remote.test')[0]).toMatchObject({ from: 'ann@a.test' });
    expect(sink.to('two@remote.test')[0]).toMatchObject({ from: 'info@a.test' });
    const rows = await submissions('ann');
    expect(rows.map((r) => [r.sender, r.recipients]).sort()).toEqual([['ann@a.test', 1], ['info@a.test', 1]]);
    expect(rows.every((r) => r.size > 100n && r.queueId && r.clientAddress === '127.0.0.1')).toBe(true);
  });

  it('refuses a MAIL FROM of another mailbox, or of another tenant\'s domain, before anything is counted', async () => {
    for (const from of ['bob@a.test', 'zed@b.test']) {
      const error = await failure(submit('ann@a.test', from));
      expect([error.responseCode, error.response]).toEqual([553, expect.stringContaining(`<${from}>: Sender address rejected: not owned by user ann@a.test`)]);
    }
    expect(await submissions('ann')).toHaveLength(2);
    expect(sink.received.filter((m) => ['bob@a.test', 'zed@b.test'].includes(m.from))).toEqual([]);
  });

  it('takes submission away from a mailbox with SMTP off; IMAP still works', async () => {
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.carl}`, { protocols: { smtp: false } })).status).toBe(200);
    expect((await failure(submit('carl@a.test', 'carl@a.test'))).code).toBe('EAUTH');
    expect(await dovecot.imapLogin('carl@a.test', GOOD_PASSWORD)).toBe(true);
    expect(await submissions('carl')).toEqual([]);
  });

  it('refuses a suspended mailbox: a session already logged in gets 554 at RCPT, a new one cannot log in', async () => {
    const session = transport('dave@a.test', true);
    await session.sendMail({ from: 'dave@a.test', to: 'before@remote.test', text: 'before' });
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.dave}`, { sendingSuspended: true })).status).toBe(200);
    const error = await failure(session.sendMail({ from: 'dave@a.test', to: 'after@remote.test', text: 'after' }));
    session.close();
    expect(error.response).toBe('554 5.7.1 <after@remote.test>: Recipient address rejected: Sending from this mailbox is suspended; contact your provider');
    expect((await failure(submit('dave@a.test', 'dave@a.test'))).code).toBe('EAUTH');
    expect((await submissions('dave')).map((r) => r.recipients)).toEqual([1]);
    expect(sink.to('after@remote.test')).toEqual([]);
  });

  it('shares the hourly limit with POST /v1/messages: 4 of 5 through the API, then exactly one through Postfix', async () => {
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.fay}`, { sendLimits: { messagesPerHour: 5 } })).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await tenant.client.post('/v1/messages', { from: 'fay@a.test', to: [`api${i}@remote.test`], subject: 'Hi', text: 'Hello' })).status).toBe(202);
    }
    await submit('fay@a.test', 'fay@a.test', 'fifth@remote.test');
    const error = await failure(submit('fay@a.test', 'fay@a.test', 'sixth@remote.test'));
    expect(error.response).toBe('450 4.7.1 <sixth@remote.test>: Recipient address rejected: Hourly sending limit reached, try again later');
    const api6 = await tenant.client.post('/v1/messages', { from: 'fay@a.test', to: ['api6@remote.test'], subject: 'Hi', text: 'Hello' });
    expect([api6.status, api6.body.code]).toEqual([429, 'send_limit_exceeded']);
    expect(await submissions('fay')).toHaveLength(1);
    expect(await api.db.message.count({ where: { mailboxId: ids.fay } })).toBe(4);
    await waitFor(async () => sink.to('fifth@remote.test').length === 1, SETTLED_MS);
    expect(sink.to('sixth@remote.test')).toEqual([]);
  });

  it('suspends a mailbox whose submitted mail spikes, raises the alert, and Postfix refuses it from then on', async () => {
    const session = transport('eve@a.test', true);
    for (let i = 1; i <= RULES.volumeSpike.minMessages; i++) {
      await session.sendMail({ from: 'eve@a.test', to: `burst${i}@remote.test`, text: `burst ${i}` });
    }
    const mailbox = await waitFor(async () => {
      const row = await api.db.mailbox.findUniqueOrThrow({ where: { id: ids.eve } });
      return row.sendingSuspendedAt ? row : undefined;
    }, SETTLED_MS);
    expect(mailbox.sendingSuspendedReason).toMatch(/^sending\.volume_spike: eve@a\.test sent 8 messages in the last hour/);
    const alert = await api.db.alert.findFirstOrThrow({ where: { mailboxId: ids.eve } });
    expect(alert).toMatchObject({ rule: 'sending.volume_spike', severity: 'critical', state: 'open', resellerId: tenant.id });
    expect(alert.evidence).toMatchObject({ address: 'eve@a.test', lastHour: { messages: 8, recipients: 8 } });

    const error = await failure(session.sendMail({ from: 'eve@a.test', to: 'burst9@remote.test', text: 'burst 9' }));
    session.close();
    expect(error.response).toBe('554 5.7.1 <burst9@remote.test>: Recipient address rejected: Sending from this mailbox is suspended; contact your provider');
    expect((await failure(submit('eve@a.test', 'eve@a.test'))).code).toBe('EAUTH');
    const refused = await tenant.client.post('/v1/messages', { from: 'eve@a.test', to: ['x@remote.test'], subject: 'Hi', text: 'Hello' });
    expect([refused.status, refused.body.code]).toEqual([403, 'sending_suspended']);
    expect(await submissions('eve')).toHaveLength(8);
  });

  it('follows its default_action (451 4.3.5) while the policy service is down', async () => {
    await policy.close();
    const error = await failure(submit('ann@a.test', 'ann@a.test', 'down@remote.test'));
    expect(error.response).toBe('451 4.3.5 <down@remote.test>: Recipient address rejected: Sending policy unavailable; try again later');
    expect(await submissions('ann')).toHaveLength(2);
    expect(await postfix.log()).toMatch(/warning: connect to 127\.0\.0\.1:\d+: Connection refused/);
  });
});
