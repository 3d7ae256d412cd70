import type { Redis } from 'ioredis';
import { AUTH_POLICY_PATH } from '../../src/activity/auth-policy-settings.js';
import { REDIS } from '../../src/redis/redis.module.js';
import { TestApi } from '../support/api.js';
import { DbSnapshotter, changed } from '../support/db-snapshot.js';
import { TestDnsServer } from '../support/dns-server.js';
import { PASSWORD_SETTERS } from '../support/fuzz-bases.js';
import { autodiscoverRequest, hostileAutodiscoverRequests, hostileRawMessages } from '../support/fuzz-raw-bodies.js';
import { type FuzzResult, FuzzRunner } from '../support/fuzz-runner.js';
import { type Caller, type FuzzRequest, type Operation, RequestBuilder, operationsOf } from '../support/fuzz-variants.js';
import { type FuzzWorld, buildFuzzWorld } from '../support/fuzz-world.js';

// Issue 11: every operation of /openapi.json, sent valid once and then with hostile values one
// field (path, query, header, body) at a time. Each answer must be a non-5xx answer on a live
// connection, a 4xx must be problem+json with a code, and a 4xx must leave the database as it was.

/** Deletions run last (their valid request removes a world object), children before parents. */
const DELETE_ORDER = ['/v1/mailboxes/{id}/login-lock', '/v1/aliases/{id}', '/v1/domain-aliases/{id}', '/v1/api-keys/{id}', '/v1/mailboxes/{id}', '/v1/domains/{id}', '/v1/resellers/{id}'];
const rank = (op: Operation) => (op.method !== 'DELETE' ? -1 : DELETE_ORDER.indexOf(op.path) === -1 ? DELETE_ORDER.length - 1.5 : DELETE_ORDER.indexOf(op.path));
/** Codes that say the "valid" request built here is not valid: the fuzzing would then test little. */
const MALFORMED_CODES = ['validation_failed', 'malformed_json', 'bad_request', 'unsupported_media_type', 'route_not_found'];
const TEST_TIMEOUT_MS = 110_000;
const PUBLIC_REQUESTS_ALLOWED = 1_000_000;

describe('fuzz: hostile input on every operation of /openapi.json', () => {
  let api: TestApi;
  let dns: TestDnsServer;
  let world: FuzzWorld;
  let runner: FuzzRunner;
  let snapshots: DbSnapshotter;
  let operations: Operation[];

  beforeAll(async () => {
    dns = await TestDnsServer.start();
    // DNS answers come from the test zone (NXDOMAIN for the world's names), never from the internet.
    // The per-IP limit of the public routes would otherwise answer most of their variants with 429.
    // The platform's host names are in the test zone too, so that a DNS check has answers to compare.
    api = await TestApi.start({
      DNS_SERVERS: dns.address, MAIL_HOSTNAME: 'mail.platform.test', PUBLIC_RATE_LIMIT_REQUESTS: String(PUBLIC_REQUESTS_ALLOWED),
      // Hostile logins fail by the dozen from one address: the monitoring's alerts (written after
      // the answer, in whichever batch runs then) would read as writes of a refusal.
      LOGIN_RULES: JSON.stringify({ failuresPerIp: { enabled: false }, passwordSpraying: { enabled: false }, failuresPerAccount: { enabled: false } }),
    });
    world = await buildFuzzWorld(api);
    snapshots = await DbSnapshotter.create(api.app);
    runner = new FuzzRunner(api, snapshots, api.app.get<Redis>(REDIS));
    const document = await api.client().get('/openapi.json');
    expect(document.status).toBe(200);
    operations = operationsOf(document.body).sort((x, y) => rank(x) - rank(y));
  }, 60_000);
  afterAll(async () => {
    await snapshots?.dispose();
    await api?.close();
    await dns?.stop();
  });

  const bearer = (key: string | undefined) => ({ authorization: `Bearer ${key}` });

  /** Reseller A for tenant routes (B's ids are then "another tenant's"), the admin where only a platform admin may call. */
  async function callerFor(op: Operation): Promise<{ caller: Caller; probe?: { request: FuzzRequest; result: FuzzResult } }> {
    const { a, b } = world;
    if (op.path === AUTH_POLICY_PATH) return { caller: { headers: world.authPolicyHeader, tenant: a, other: b } };
    if (!op.spec.security?.length) return { caller: { headers: {}, tenant: a, other: b } };
    const reseller: Caller = { headers: bearer(a.client.key), tenant: a, other: b };
    const builder = new RequestBuilder(op, reseller, world);
    if (builder.gaps().length) return { caller: reseller };
    // A deletion is probed on a missing id, so that the probe deletes nothing.
    const probeRequest = op.method === 'DELETE' ? builder.request('valid', { path: { id: '00000000-0000-0000-0000-000000000000' } }) : builder.request('valid');
    const [probe] = await runner.run(op.key, [probeRequest]);
    if (probe.code !== 'platform_admin_required') return { caller: reseller, probe: op.method === 'DELETE' ? undefined : { request: probeRequest, result: probe } };
    return { caller: { headers: bearer(world.admin.key), tenant: a } };
  }

  /** Bodies /openapi.json cannot describe as JSON schema: raw messages and Autodiscover XML. */
  function rawVariants(op: Operation, builder: RequestBuilder, caller: Caller): FuzzRequest[] {
    if (op.key === 'POST /v1/messages') {
      return hostileRawMessages(caller.tenant).map(([label, body]) => builder.request(`raw message: ${label}`, { body, contentType: 'message/rfc822' }));
    }
    if (op.key === 'POST /autodiscover/autodiscover.xml') {
      return hostileAutodiscoverRequests(caller.tenant).map(([label, body]) => builder.request(`XML: ${label}`, { body, contentType: 'text/xml' }));
    }
    return [];
  }

  // The check below is only as good as its instrument: it must see a committed write, and neither
  // a rolled-back one nor the last_used_at stamp that authentication writes on every request.
  it('sees every committed row write, and no rolled-back one', async () => {
    const { a } = world;
    const start = await snapshots.take();
    await api.db.$transaction(async (tx) => {
      await tx.mailbox.update({ where: { id: a.mailboxId }, data: { displayName: 'rolled back' } });
      throw new Error('roll back');
    }).catch(() => undefined);
    await api.db.apiKey.updateMany({ where: { resellerId: a.resellerId }, data: { lastUsedAt: new Date() } });
    expect(changed(start, await snapshots.take())).toBe(false);

    await api.db.mailbox.update({ where: { id: a.mailboxId }, data: { displayName: 'Written' } });
    const written = await snapshots.take();
    expect(changed(start, written)).toBe(true);
    expect(await snapshots.changesSince(start)).toEqual([expect.stringMatching(/^UPDATE mailboxes \{/)]);
    await api.db.mailbox.update({ where: { id: a.mailboxId }, data: { displayName: 'Fuzz User' } });
  });

  it('answers each hostile request with a 4xx problem (or a success), never a 5xx or a dropped connection, and refusals write nothing', async () => {
    const started = Date.now();
    const gaps: string[] = [];
    const invalidBaselines: string[] = [];
    expect(operations.length).toBeGreaterThan(60);
    for (const op of operations) {
      await runner.resetRateLimits();
      const { caller, probe } = await callerFor(op);
      const builder = new RequestBuilder(op, caller, world);
      const missing = builder.gaps();
      if (missing.length) {
        gaps.push(`${op.key}: no valid ${missing.join(', ')} known to the fuzz test (test/support/fuzz-bases.ts)`);
        continue;
      }
      // The probe that chose the caller was already the valid request.
      const valid = probe?.request ?? (op.key === 'POST /autodiscover/autodiscover.xml'
        ? builder.request('valid', { body: autodiscoverRequest(caller.tenant.address), contentType: 'text/xml' })
        : builder.request('valid'));
      const hostile = [...builder.hostile(), ...rawVariants(op, builder, caller)];
      let baseline = probe?.result;
      if (op.method !== 'DELETE') baseline ??= (await runner.run(op.key, [valid]))[0];
      await runner.run(op.key, hostile);
      // A variant may have been accepted with a password of its own (any valid one is): set a
      // known one again for the operations after this one.
      if (PASSWORD_SETTERS[op.key]) {
        const reset = builder.request('valid');
        const [result] = await runner.run(op.key, [reset]);
        if (result.status! < 300) caller.tenant.password = PASSWORD_SETTERS[op.key](JSON.parse(String(reset.body)));
      }
      if (op.method === 'DELETE') baseline = (await runner.run(op.key, [valid]))[0];
      if (MALFORMED_CODES.includes(baseline!.code ?? '')) invalidBaselines.push(`${op.key}: ${baseline!.excerpt}`);
    }
    // FUZZ_REPORT=1 prints the figures and every hostile variant that was accepted (2xx), for review.
    if (process.env.FUZZ_REPORT) {
      console.log(`${runner.sent} requests over ${operations.length} operations in ${Date.now() - started} ms (snapshots ${runner.snapshotMs} ms)`);
      console.log(runner.accepted.join('\n'));
    }

    expect(gaps).toEqual([]);
    expect(invalidBaselines).toEqual([]);
    // The app runs in this process: a polluted prototype would show here.
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(runner.findings).toEqual([]);
  }, TEST_TIMEOUT_MS);
});
