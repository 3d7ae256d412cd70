import { jest } from '@jest/globals';
import { createApiApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import type { AddressInfo } from 'node:net';
import { Client, TestApi } from '../support/api.js';

describe('operations: OpenAPI, health, metrics, request ids, errors', () => {
  let api: TestApi;
  beforeAll(async () => {
    api = await TestApi.start();
  });
  afterAll(() => api?.close());

  it('serves a complete OpenAPI 3.1 document and the docs page without auth', async () => {
    const res = await api.client().get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    const routes = Object.entries(res.body.paths).flatMap(([path, ops]) => Object.keys(ops as object).map((m) => `${m.toUpperCase()} ${path}`));
    for (const resource of ['resellers', 'domains', 'mailboxes', 'aliases']) {
      for (const route of ['POST /v1/R', 'GET /v1/R', 'GET /v1/R/{id}', 'PATCH /v1/R/{id}', 'DELETE /v1/R/{id}']) {
        expect(routes).toContain(route.replace('R', resource));
      }
    }
    for (const route of ['POST /v1/api-keys', 'GET /v1/api-keys', 'GET /v1/api-keys/{id}', 'DELETE /v1/api-keys/{id}',
      'POST /v1/domain-aliases', 'GET /v1/domain-aliases', 'GET /v1/domain-aliases/{id}', 'DELETE /v1/domain-aliases/{id}',
      'GET /v1/audit-log', 'GET /health/live', 'GET /health/ready']) {
      expect(routes).toContain(route);
    }
    const create = res.body.paths['/v1/mailboxes'].post.requestBody.content['application/json'].schema;
    const schema = create.$ref ? res.body.components.schemas[create.$ref.split('/').pop()] : create;
    expect(schema.required).toEqual(expect.arrayContaining(['address', 'password']));
    expect(schema.additionalProperties).toBe(false);
    const docs = await api.client().get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('<title>Swagger UI</title>');
  });

  it('reports liveness and readiness of PostgreSQL and Redis', async () => {
    expect((await api.client().get('/health/live')).body).toEqual({ status: 'ok' });
    expect((await api.client().get('/health/ready')).body).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok' } });
  });

  /** Another API instance with different settings, on its own loopback port. */
  async function withApp(env: Record<string, string>, use: (baseUrl: string) => Promise<void>) {
    const app = await createApiApp(loadConfig({ ...process.env, ...env }));
    try {
      await app.listen({ port: 0, host: '127.0.0.1' });
      await use(`http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`);
    } finally {
      await app.close();
    }
  }

  it('is not ready when Redis does not answer', async () => {
    await withApp({ REDIS_URL: 'redis://127.0.0.1:1' }, async (baseUrl) => {
      const res = await fetch(`${baseUrl}/health/ready`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { code: string }).code).toBe('not_ready');
    });
  });

  const METRICS_TOKEN = 'metrics-token-0123456789abcdef0123456789';

  it('does not expose /metrics without METRICS_TOKEN', async () => {
    const res = await api.client().get('/metrics');
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('route_not_found');
    // Not even to an API key: metrics are the operator's, not a tenant's.
    expect((await api.admin.get('/metrics')).status).toBe(404);
  });

  it('answers /metrics without the right bearer token by 401 problem+json, showing no metrics', async () => {
    const attempts: [string | undefined, string][] = [
      [undefined, 'unauthenticated'],
      [`Bearer ${METRICS_TOKEN.slice(0, -1)}x`, 'invalid_metrics_token'],
      [`Bearer ${METRICS_TOKEN}x`, 'invalid_metrics_token'],
      [`Bearer ${api.admin.key}`, 'invalid_metrics_token'],
      [`Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`, 'invalid_metrics_token'],
    ];
    await withApp({ METRICS_TOKEN }, async (baseUrl) => {
      for (const [authorization, code] of attempts) {
        const res = await fetch(`${baseUrl}/metrics`, { headers: authorization ? { authorization } : {} });
        expect([authorization, res.status]).toEqual([authorization, 401]);
        expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
        expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
        const body = (await res.json()) as { code: string; status: number };
        expect(body).toMatchObject({ code, status: 401 });
        expect(JSON.stringify(body)).not.toContain('postmaster_http');
      }
    });
  });

  it('counts requests and latencies per route template in Prometheus text, for the holder of METRICS_TOKEN', async () => {
    await withApp({ METRICS_TOKEN }, async (baseUrl) => {
      const admin = new Client(baseUrl, api.admin.key);
      await admin.get('/v1/domains');
      await admin.get('/v1/domains/00000000-0000-4000-8000-000000000000');
      const res = await new Client(baseUrl).request('GET', '/metrics', undefined, { authorization: `bearer  ${METRICS_TOKEN}` });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.body).toMatch(/postmaster_http_requests_total\{method="GET",route="\/v1\/domains",status="200"\} [1-9]/);
      expect(res.body).toMatch(/postmaster_http_requests_total\{method="GET",route="\/v1\/domains\/:id",status="404"\} 1/);
      expect(res.body).toMatch(/postmaster_http_request_duration_seconds_bucket\{le="0.1",method="GET",route="\/v1\/domains"\}/);
    });
  });

  it('refuses a METRICS_TOKEN too short to be a secret', () => {
    expect(() => loadConfig({ ...process.env, METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be at least 32 characters/);
  });

  it('gives every response a request id, keeping the caller\'s own', async () => {
    const generated = await api.admin.get('/v1/domains');
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await api.admin.request('GET', '/v1/domains', undefined, { 'x-request-id': 'trace-123' });
    expect(given.headers['x-request-id']).toBe('trace-123');
  });

  it('answers unknown routes and methods with problem+json', async () => {
    const res = await api.admin.get('/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.code).toBe('route_not_found');
  });

  it('turns an unexpected failure into a 500 with an error id that is in the log, and writes nothing', async () => {
    const logged: string[] = [];
    const capture = (chunk: unknown) => (logged.push(String(chunk)), true);
    const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(capture), jest.spyOn(process.stderr, 'write').mockImplementation(capture)];
    // The audit insert fails after the domain insert: the transaction must take both back.
    await api.db.$executeRawUnsafe('ALTER TABLE audit_log RENAME TO audit_log_moved');
    try {
      await withApp({ LOG_LEVEL: 'error' }, async (baseUrl) => {
        const res = await new Client(baseUrl, api.admin.key).post('/v1/domains', { name: 'half-written.test' });
        expect(res.status).toBe(500);
        expect(res.body.code).toBe('internal_error');
        expect(res.body.errorId).toMatch(/^[0-9a-f-]{36}$/);
        expect(JSON.stringify(res.body)).not.toMatch(/audit_log|prisma|at \w+ \(/i);
        const line = logged.find((l) => l.includes(res.body.errorId));
        expect(JSON.parse(line!)).toMatchObject({ level: 'error', context: 'Errors' });
      });
    } finally {
      await api.db.$executeRawUnsafe('ALTER TABLE audit_log_moved RENAME TO audit_log');
      spies.forEach((spy) => spy.mockRestore());
    }
    expect(await api.db.domain.count({ where: { name: 'half-written.test' } })).toBe(0);
  });
});
