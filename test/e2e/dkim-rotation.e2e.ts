import { getQueueToken } from '@nestjs/bullmq';
import { type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Queue } from 'bullmq';
import { loadConfig } from '../../src/config/config.js';
import { ConfigModule } from '../../src/config/config.module.js';
import { CoreModule } from '../../src/core.module.js';
import { DkimKeysService } from '../../src/dkim/dkim-keys.service.js';
import { dkimSign } from '../../src/dkim/dkim-signer.js';
import { DomainDnsModule } from '../../src/domain-dns/domain-dns.module.js';
import { DOMAIN_DNS_QUEUE, domainDnsQueue } from '../../src/domain-dns/domain-dns.queue.js';
import { QueuesModule } from '../../src/queues.module.js';
import { DomainDnsProcessor } from '../../workers/domain-dns.processor.js';
import { type Client, TestApi } from '../support/api.js';
import { verifyDkim } from '../support/dkim-verifier.js';
import { TestDnsServer } from '../support/dns-server.js';
import { waitFor } from '../support/processes.js';

const DAY_MS = 86_400_000;
const GRACE_HOURS = 24;
const MESSAGE = Buffer.from('From: ann@rotate.test\r\nTo: bob@example.org\r\nSubject: Rotation\r\n\r\nHello\r\n');

// The worker's domain-dns processor and its queue, as workers/worker.module.ts wires them.
@Module({ imports: [CoreModule, QueuesModule, domainDnsQueue, DomainDnsModule], providers: [DomainDnsProcessor] })
class DomainDnsWorker {}

describe('DKIM rotation, switched by a real worker once the record is in DNS', () => {
  let dns: TestDnsServer;
  let api: TestApi;
  let worker: INestApplicationContext;
  let client: Client;
  let domainId: string;
  const domain = { id: '', name: 'rotate.test' };
  const keys = () => api.db.dkimKey.findMany({ where: { domainId }, orderBy: { createdAt: 'asc' } });
  const publishRecord = (record: { name: string; value: string }) => dns.publish({ name: record.name, type: 'TXT', value: record.value });

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    const env = { DNS_SERVERS: dns.address, DKIM_RETIRE_GRACE_HOURS: String(GRACE_HOURS), DKIM_ROTATION_DAYS: '1', DOMAIN_DNS_SWEEP_EVERY_MS: '200' };
    api = await TestApi.start(env);
    ({ client, domainId } = await api.resellerWithDomain('rotate.test'));
    domain.id = domainId;
    expect((await api.admin.patch(`/v1/domains/${domainId}`, { status: 'active' })).status).toBe(200);
    worker = await NestFactory.createApplicationContext(
      { module: DomainDnsWorker, imports: [ConfigModule.forRoot(loadConfig({ ...process.env, ...env }))] }, { logger: false });
  });

  afterAll(async () => {
    await worker?.get<Queue>(getQueueToken(DOMAIN_DNS_QUEUE)).obliterate({ force: true });
    await worker?.close();
    await api?.close();
    await dns?.stop();
  });

  it('keeps signing with the active key until the next key is published, then switches and retires the old one', async () => {
    const [first] = (await client.get(`/v1/domains/${domainId}`)).body.dkim;
    await publishRecord(first);
    const readOnly = await api.keyLike(client, { readOnly: true });
    expect((await readOnly.post(`/v1/domains/${domainId}/dkim/rotate`)).status).toBe(403);

    const rotated = await client.post(`/v1/domains/${domainId}/dkim/rotate`);
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ state: 'next', algorithm: 'rsa', type: 'TXT', name: `${rotated.body.selector}._domainkey.rotate.test` });
    expect((await client.post(`/v1/domains/${domainId}/dkim/rotate`)).body.code).toBe('dkim_rotation_pending');
    expect((await keys()).map((k) => k.state)).toEqual(['active', 'next']);
    expect(await api.db.auditEntry.count({ where: { targetId: domainId, action: 'domain.dkim_rotate' } })).toBe(1);

    // Two more sweeps completed, so at least one started after the rotation: still no switch.
    const queue = worker.get<Queue>(getQueueToken(DOMAIN_DNS_QUEUE));
    const completed = async () => (await queue.getJobCounts('completed')).completed;
    const done = await completed();
    await waitFor(async () => (await completed()) >= done + 2);
    expect((await keys()).map((k) => k.state)).toEqual(['active', 'next']);
    const before = await api.app.get(DkimKeysService).signingKeys(domain);
    expect(before.map((k) => k.selector)).toEqual([first.selector]);
    expect(await verifyDkim(dkimSign(MESSAGE, before), dns.address)).toEqual([expect.objectContaining({ selector: first.selector, result: 'pass' })]);

    await publishRecord(rotated.body);
    await waitFor(async () => (await keys()).find((k) => k.selector === rotated.body.selector && k.state === 'active'));
    const [old, current] = await keys();
    expect(old).toMatchObject({ selector: first.selector, state: 'retired', retiredAt: expect.any(Date) });
    expect(current).toMatchObject({ selector: rotated.body.selector, state: 'active', activatedAt: old.retiredAt });
    const after = await api.app.get(DkimKeysService).signingKeys(domain);
    expect(after.map((k) => k.selector)).toEqual([rotated.body.selector]);
    expect(await verifyDkim(dkimSign(MESSAGE, after), dns.address)).toEqual([{ domain: 'rotate.test', selector: rotated.body.selector, algorithm: 'rsa-sha256', result: 'pass' }]);

    const view = (await client.get(`/v1/domains/${domainId}`)).body.dkim;
    expect(view.find((k: any) => k.state === 'retired')).toMatchObject({
      selector: first.selector, safeToRemoveAt: new Date(old.retiredAt!.getTime() + GRACE_HOURS * 3_600_000).toISOString(),
    });
  });

  it('adds an Ed25519 key on request and dual-signs once it is published', async () => {
    const rotated = await client.post(`/v1/domains/${domainId}/dkim/rotate`, { algorithm: 'ed25519' });
    expect(rotated.status).toBe(201);
    expect(rotated.body).toMatchObject({ algorithm: 'ed25519', state: 'next', value: expect.stringMatching(/^v=DKIM1; k=ed25519; p=[A-Za-z0-9+/]{43}=$/) });
    await publishRecord(rotated.body);
    await waitFor(async () => (await keys()).find((k) => k.algorithm === 'ed25519' && k.state === 'active'));
    const signing = await api.app.get(DkimKeysService).signingKeys(domain);
    expect(signing.map((k) => k.algorithm)).toEqual(['rsa', 'ed25519']);
    const verdicts = await verifyDkim(dkimSign(MESSAGE, signing), dns.address);
    expect(verdicts.map((v) => [v.algorithm, v.result])).toEqual([['rsa-sha256', 'pass'], ['ed25519-sha256', 'pass']]);
  });

  it('starts a rotation by itself once the active key is older than DKIM_ROTATION_DAYS', async () => {
    await api.db.dkimKey.updateMany({ where: { domainId, state: 'active', algorithm: 'rsa' }, data: { activatedAt: new Date(Date.now() - 2 * DAY_MS) } });
    await waitFor(async () => (await keys()).find((k) => k.algorithm === 'rsa' && k.state === 'next'));
    expect((await keys()).filter((k) => k.state === 'next').map((k) => k.algorithm)).toEqual(['rsa']);
  });

  it('refuses to rotate a domain that is not active, or another tenant’s', async () => {
    const pending = await api.resellerWithDomain('pending-rotate.test');
    const res = await pending.client.post(`/v1/domains/${pending.domainId}/dkim/rotate`);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('domain_not_active');
    expect((await pending.client.post(`/v1/domains/${domainId}/dkim/rotate`)).status).toBe(404);
    expect(await api.db.dkimKey.count({ where: { domainId: pending.domainId } })).toBe(0);
  });
});
