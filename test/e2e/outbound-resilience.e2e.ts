import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/config.js';
import { WorkerModule } from '../../workers/worker.module.js';
import { type Client, GOOD_PASSWORD, TestApi } from '../support/api.js';
import { RunningProcess, waitFor } from '../support/processes.js';
import { SmtpSink } from '../support/smtp-sink.js';

// Nothing accepted is lost: not when a worker is killed mid-delivery, not when Redis loses the
// queue. PostgreSQL is the record; leases and the reconciler bring every message back.
const ENV = {
  OUTBOUND_RETRY_BASE_MS: '100',
  OUTBOUND_RETRY_MAX_MS: '300',
  OUTBOUND_LEASE_MS: '3000',
  OUTBOUND_RECONCILE_EVERY_MS: '300',
  OUTBOUND_SOCKET_TIMEOUT_MS: '60000',
};
const SETTLED_MS = 25_000;

describe('outgoing mail survives crashes', () => {
  let sink: SmtpSink;
  let api: TestApi;
  let sender: Client;
  let env: Record<string, string>;

  const send = async (to: string[], subject: string) => {
    const res = await sender.post('/v1/messages', { from: 'ann@sender.test', to, subject, text: subject });
    expect(res.status).toBe(202);
    return res.body.id as string;
  };
  const completed = (ids: string[]) => waitFor(async () => {
    const rows = await api.db.message.findMany({ where: { id: { in: ids } }, include: { recipients: { orderBy: { address: 'asc' } } } });
    return rows.every((r) => r.status === 'completed') && rows;
  }, SETTLED_MS);

  beforeAll(async () => {
    sink = await SmtpSink.start();
    env = { ...ENV, OUTBOUND_RELAY_URL: `smtp://127.0.0.1:${sink.port}` };
    api = await TestApi.start(env);
    const tenant = await api.resellerWithDomain('sender.test');
    expect((await api.admin.patch(`/v1/domains/${tenant.domainId}`, { status: 'active' })).status).toBe(200);
    expect((await tenant.client.post('/v1/mailboxes', { address: 'ann@sender.test', password: GOOD_PASSWORD })).status).toBe(201);
    sender = tenant.client;
  });
  afterAll(async () => {
    await api?.close();
    await sink?.close();
  });

  it('a worker killed (SIGKILL) mid-delivery loses nothing, and what it recorded as delivered is not sent again', async () => {
    const workerEnv = { ...process.env, ...env, LOG_LEVEL: 'info' };
    // The first DATA for stall@a.test never gets an answer; every other one is accepted.
    let stalls = 0;
    sink.data = (to) => (to.includes('stall@a.test') && stalls++ === 0 ? 'stall' : 'accept');
    const first = RunningProcess.start('dist/workers/main.js', [], workerEnv);
    let second: RunningProcess | undefined;
    try {
      const id = await send(['stall@a.test', 'fine@b.test'], 'Crash');
      // fine@b.test (its own transaction) is recorded delivered while stall@a.test hangs in DATA.
      await waitFor(async () => {
        const recipients = await api.db.messageRecipient.findMany({ where: { messageId: id } });
        return stalls === 1 && recipients.some((r) => r.address === 'fine@b.test' && r.status === 'delivered');
      }, SETTLED_MS);
      first.child.kill('SIGKILL');
      expect((await first.exited).signal).toBe('SIGKILL');
      expect(await api.db.message.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'sending', attempts: 1 });

      second = RunningProcess.start('dist/workers/main.js', [], workerEnv);
      const [message] = await completed([id]);
      expect(message.recipients.map((r) => [r.address, r.status])).toEqual([['fine@b.test', 'delivered'], ['stall@a.test', 'delivered']]);
      expect(message.attempts).toBe(2);
      expect(sink.to('fine@b.test')).toHaveLength(1);
      expect(sink.to('stall@a.test')).toHaveLength(1);
      const attempts = await api.db.deliveryAttempt.findMany({ where: { messageId: id }, include: { recipient: true } });
      expect(attempts.map((a) => [a.recipient.address, a.outcome]).sort()).toEqual([['fine@b.test', 'delivered'], ['stall@a.test', 'delivered']]);
    } finally {
      first.child.kill('SIGKILL');
      second?.child.kill('SIGTERM');
      await second?.exited;
      sink.data = () => 'accept';
    }
  });

  it('Redis losing every queue key loses no message: the reconciler enqueues them again', async () => {
    const worker: INestApplicationContext = await NestFactory.createApplicationContext(
      WorkerModule.forRoot(loadConfig({ ...process.env, ...env })), { logger: false });
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      // Every try is deferred until the keys are gone, so each message needs a job after the flush.
      sink.rcpt = () => ({ code: 451, message: '4.3.0 try later' });
      const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => send([`r${i}@c.test`], `Flush ${i}`)));
      await waitFor(async () => (await api.db.message.count({ where: { id: { in: ids }, attempts: { gte: 1 } } })) === 5, SETTLED_MS);
      // Only this run's keys (never FLUSHALL: other test runs share this Redis).
      const keys = await redis.keys(`${process.env.REDIS_KEY_PREFIX}*`);
      expect(keys.length).toBeGreaterThan(0);
      await redis.del(...keys);
      sink.rcpt = () => 'accept';

      const rows = await completed(ids);
      expect(rows.flatMap((r) => r.recipients.map((x) => x.status))).toEqual(Array(5).fill('delivered'));
      for (let i = 0; i < 5; i++) expect(sink.to(`r${i}@c.test`)).toHaveLength(1);
    } finally {
      sink.rcpt = () => 'accept';
      await worker.close();
      redis.disconnect();
    }
  });
});
