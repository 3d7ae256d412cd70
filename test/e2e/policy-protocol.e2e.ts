import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type Socket, connect } from 'node:net';
import { loadConfig } from '../../src/config/config.js';
import { PolicyModule } from '../../src/policy/policy.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { freePort, waitFor } from '../support/processes.js';

// The policy service spoken to over TCP as Postfix does (SMTPD_POLICY_README): attribute lines,
// an empty line, one `action=` answer, many requests on one connection. Real PostgreSQL and Redis.
class PolicyConnection {
  private buffered = '';
  private waiting: ((answer: string) => void)[] = [];
  readonly closed: Promise<void>;

  constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      for (let end = this.buffered.indexOf('\n\n'); end >= 0; end = this.buffered.indexOf('\n\n')) {
        this.waiting.shift()?.(this.buffered.slice(0, end));
        this.buffered = this.buffered.slice(end + 2);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', () => undefined);
  }

  static async open(port: number): Promise<PolicyConnection> {
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new PolicyConnection(socket);
  }

  ask(attributes: Record<string, string>): Promise<string> {
    const answer = new Promise<string>((resolve) => this.waiting.push(resolve));
    this.socket.write(`${Object.entries(attributes).map(([k, v]) => `${k}=${v}`).join('\n')}\n\n`);
    return answer;
  }

  send(bytes: string): void {
    this.socket.write(bytes);
  }

  close(): void {
    this.socket.destroy();
  }
}

const rcpt = (login: string, sender: string, extra: Record<string, string> = {}) => ({
  request: 'smtpd_access_policy', protocol_state: 'RCPT', protocol_name: 'ESMTP', client_address: '192.0.2.7',
  sasl_method: 'PLAIN', sasl_username: login, sender, recipient: 'friend@remote.test', recipient_count: '0', ...extra,
});
const endOfMessage = (login: string, recipients: number) => ({
  ...rcpt(login, login), protocol_state: 'END-OF-MESSAGE', recipient: '', recipient_count: String(recipients), size: '2345', queue_id: 'QID42',
});

describe('policy service protocol', () => {
  let api: TestApi;
  let env: Record<string, string>;
  let policy: INestApplicationContext;
  let tenant: { id: string; client: Client; domainId: string };
  const ids: Record<string, string> = {};

  const startPolicy = async (overrides: Record<string, string> = {}) =>
    NestFactory.createApplicationContext(PolicyModule.forRoot(loadConfig({ ...process.env, ...env, ...overrides })), { logger: false });

  beforeAll(async () => {
    env = { POLICY_PORT: String(await freePort()) };
    api = await TestApi.start(env);
    tenant = await api.resellerWithDomain('a.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    for (const name of ['ann', 'bob', 'carl', 'dave', 'gus']) {
      const res = await tenant.client.post('/v1/mailboxes', { address: `${name}@a.test`, password: GOOD_PASSWORD });
      expect(res.status).toBe(201);
      ids[name] = res.body.id;
    }
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.carl}`, { protocols: { smtp: false } })).status).toBe(200);
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.dave}`, { sendingSuspended: true })).status).toBe(200);
    expect((await tenant.client.patch(`/v1/mailboxes/${ids.gus}`, { sendLimits: { messagesPerHour: 1, recipientsPerHour: 3 } })).status).toBe(200);
    expect((await tenant.client.post('/v1/aliases', { source: 'info@a.test', destinations: ['ann@a.test', 'bob@a.test'] })).status).toBe(201);
    expect((await tenant.client.post('/v1/aliases', { source: '@a.test', destinations: ['ann@a.test'] })).status).toBe(201);
    const other = await api.resellerWithDomain('b.test');
    expect((await api.admin.patch(`/v1/domains/${other.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await other.client.post('/v1/mailboxes', { address: 'zed@b.test', password: GOOD_PASSWORD })).status).toBe(201);
    policy = await startPolicy();
  });

  afterAll(async () => {
    await policy?.close();
    await api?.close();
  });

  it('answers many requests on one connection, in order, each with its own decision', async () => {
    const connection = await PolicyConnection.open(Number(env.POLICY_PORT));
    const answers = [];
    for (const request of [
      { request: 'smtpd_access_policy', protocol_state: 'RCPT', sender: 'x@elsewhere.test', recipient: 'ann@a.test' },
      rcpt('ann@a.test', 'ann@a.test'),
      rcpt('Ann@A.test', 'info@a.test'),
      rcpt('bob@a.test', 'info@a.test'),
      rcpt('ann@a.test', 'bob@a.test'),
      rcpt('ann@a.test', 'zed@b.test'),
      rcpt('ann@a.test', ''),
      rcpt('dave@a.test', 'dave@a.test'),
      rcpt('carl@a.test', 'carl@a.test'),
      rcpt('nobody@a.test', 'nobody@a.test'),
      { ...rcpt('ann@a.test', 'ann@a.test'), request: 'something_else' },
    ]) answers.push(await connection.ask(request));
    expect(answers).toEqual([
      'action=DUNNO', // no SASL login: mail from another server, not ours to judge
      'action=DUNNO',
      'action=DUNNO', // an alias that delivers to the login
      'action=DUNNO',
      'action=553 5.7.1 Sender address <bob@a.test> is not owned by user ann@a.test',
      'action=553 5.7.1 Sender address <zed@b.test> is not owned by user ann@a.test',
      'action=DUNNO', // the null sender
      'action=554 5.7.1 Sending from this mailbox is suspended; contact your provider',
      'action=554 5.7.1 Sending by SMTP is switched off for this mailbox; contact your provider',
      'action=554 5.7.1 This login may not send mail; contact your provider',
      'action=DUNNO',
    ]);
    connection.close();
  });

  it('lets the catch-all\'s mailbox use unowned addresses only once the tenant allows it', async () => {
    const connection = await PolicyConnection.open(Number(env.POLICY_PORT));
    expect(await connection.ask(rcpt('ann@a.test', 'sales@a.test'))).toBe('action=553 5.7.1 Sender address <sales@a.test> is not owned by user ann@a.test');
    const patched = await tenant.client.patch(`/v1/domains/${tenant.domainId}`, { catchAllSenders: true });
    expect([patched.status, patched.body.catchAllSenders]).toEqual([200, true]);
    expect((await api.db.domain.findUniqueOrThrow({ where: { id: tenant.domainId } })).catchAllSenders).toBe(true);
    expect(await connection.ask(rcpt('ann@a.test', 'sales@a.test'))).toBe('action=DUNNO');
    // An address with an owner of its own stays that owner's: Postfix looks up "@domain" only for addresses without one.
    expect(await connection.ask(rcpt('ann@a.test', 'bob@a.test'))).toBe('action=553 5.7.1 Sender address <bob@a.test> is not owned by user ann@a.test');
    expect(await connection.ask(rcpt('bob@a.test', 'sales@a.test'))).toBe('action=553 5.7.1 Sender address <sales@a.test> is not owned by user bob@a.test');
    connection.close();
  });

  it('answers from memory until the mail directory changes, and from the database while it cannot hear of changes', async () => {
    const connection = await PolicyConnection.open(Number(env.POLICY_PORT));
    const suspended = 'action=554 5.7.1 Sending from this mailbox is suspended; contact your provider';
    const suspend = (at: string | null) => api.db.$executeRawUnsafe(`UPDATE mailboxes SET sending_suspended_at = ${at} WHERE id = '${ids.bob}'`);
    expect(await connection.ask(rcpt('bob@a.test', 'bob@a.test'))).toBe('action=DUNNO');
    // A change that notifies no one is not seen: the answer came from memory.
    await api.db.$executeRawUnsafe('ALTER TABLE mailboxes DISABLE TRIGGER mailboxes_mail_directory_changed');
    await suspend('now()');
    expect(await connection.ask(rcpt('bob@a.test', 'bob@a.test'))).toBe('action=DUNNO');
    await api.db.$executeRawUnsafe('ALTER TABLE mailboxes ENABLE TRIGGER mailboxes_mail_directory_changed');
    // Any committed change of the directory is heard at once.
    await api.db.$executeRawUnsafe(`UPDATE mailboxes SET updated_at = now() WHERE id = '${ids.ann}'`);
    await waitFor(async () => (await connection.ask(rcpt('bob@a.test', 'bob@a.test'))) === suspended);
    // With the listening connection gone, every answer comes from the database until it is back.
    const [{ count }] = await api.db.$queryRawUnsafe<{ count: bigint }[]>(
      `SELECT count(pg_terminate_backend(pid)) AS count FROM pg_stat_activity WHERE datname = current_database() AND query = 'LISTEN mail_directory'`);
    expect(Number(count)).toBe(1);
    await api.db.$executeRawUnsafe('ALTER TABLE mailboxes DISABLE TRIGGER mailboxes_mail_directory_changed');
    await suspend('NULL');
    // Only the database knows this (no notification), once the loss of the connection is noticed.
    await waitFor(async () => (await connection.ask(rcpt('bob@a.test', 'bob@a.test'))) === 'action=DUNNO');
    await suspend('now()');
    expect(await connection.ask(rcpt('bob@a.test', 'bob@a.test'))).toBe(suspended);
    await api.db.$executeRawUnsafe('ALTER TABLE mailboxes ENABLE TRIGGER mailboxes_mail_directory_changed');
    await suspend('NULL');
    connection.close();
  });

  it('checks room per recipient at RCPT, counts the whole message once at END-OF-MESSAGE, and defers one that no longer fits', async () => {
    const connection = await PolicyConnection.open(Number(env.POLICY_PORT));
    expect(await connection.ask(rcpt('gus@a.test', 'gus@a.test', { recipient_count: '2' }))).toBe('action=DUNNO');
    // A 4th recipient would pass recipientsPerHour (3).
    expect(await connection.ask(rcpt('gus@a.test', 'gus@a.test', { recipient_count: '3' }))).toBe('action=450 4.7.1 Hourly recipient limit reached, try again later');
    expect(await connection.ask(endOfMessage('gus@a.test', 3))).toBe('action=DUNNO');
    const rows = await api.db.mailSubmission.findMany({ where: { mailboxId: ids.gus } });
    expect(rows.map((r) => ({ sender: r.sender, recipients: r.recipients, size: r.size, queueId: r.queueId, clientAddress: r.clientAddress }))).toEqual([
      { sender: 'gus@a.test', recipients: 3, size: 2345n, queueId: 'QID42', clientAddress: '192.0.2.7' },
    ]);
    // The same counters as POST /v1/messages: the API now refuses gus too.
    const viaApi = await tenant.client.post('/v1/messages', { from: 'gus@a.test', to: ['x@remote.test'], subject: 'Hi', text: 'Hello' });
    expect([viaApi.status, viaApi.body.code]).toEqual([429, 'send_limit_exceeded']);
    expect(await connection.ask(rcpt('gus@a.test', 'gus@a.test'))).toBe('action=450 4.7.1 Hourly sending limit reached, try again later');
    // Another session that passed RCPT before the first message was counted: deferred at the end, not counted.
    expect(await connection.ask(endOfMessage('gus@a.test', 1))).toBe('action=450 4.7.1 Hourly sending limit reached, try again later');
    expect(await api.db.mailSubmission.count({ where: { mailboxId: ids.gus } })).toBe(1);
    connection.close();
  });

  it('closes a connection that breaks the protocol and keeps serving the others', async () => {
    const healthy = await PolicyConnection.open(Number(env.POLICY_PORT));
    for (const garbage of ['no equals sign here\n\n', `name=${'x'.repeat(100_000)}`, '\u0000\u0001\u0002=\n=\n\n']) {
      const broken = await PolicyConnection.open(Number(env.POLICY_PORT));
      broken.send(garbage);
      await broken.closed;
    }
    expect(await healthy.ask(rcpt('ann@a.test', 'ann@a.test'))).toBe('action=DUNNO');
    const fresh = await PolicyConnection.open(Number(env.POLICY_PORT));
    expect(await fresh.ask(rcpt('ann@a.test', 'bob@a.test'))).toMatch(/^action=553 /);
    healthy.close();
    fresh.close();
  });

  it('defers within a bounded time when Redis does not answer, or lets mail through with POLICY_FAIL_OPEN', async () => {
    const deadRedis = `redis://127.0.0.1:${await freePort()}`;
    for (const [failOpen, expected] of [['false', 'action=451 4.3.0 Sending limits cannot be checked right now, try again later'], ['true', 'action=DUNNO']]) {
      const port = String(await freePort());
      const app = await startPolicy({ REDIS_URL: deadRedis, POLICY_PORT: port, POLICY_FAIL_OPEN: failOpen });
      try {
        const connection = await PolicyConnection.open(Number(port));
        const started = Date.now();
        expect(await connection.ask(rcpt('ann@a.test', 'ann@a.test'))).toBe(expected);
        expect(await connection.ask(endOfMessage('ann@a.test', 1))).toBe(expected);
        expect(Date.now() - started).toBeLessThan(2_000);
        // Ownership needs only PostgreSQL and is still refused.
        expect(await connection.ask(rcpt('ann@a.test', 'zed@b.test'))).toMatch(/^action=553 /);
        connection.close();
      } finally {
        await app.close();
      }
    }
    // Let through uncounted with POLICY_FAIL_OPEN is still recorded for the monitor's sweep; deferred is not.
    expect((await api.db.mailSubmission.findMany({ where: { mailboxId: ids.ann } })).map((r) => r.recipients)).toEqual([1]);
  });
});
