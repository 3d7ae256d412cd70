import type { INestApplicationContext } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import type { AddressInfo } from 'node:net';
import { ApiKeysService } from '../../src/api-keys/api-keys.service.js';
import { createApiApp } from '../../src/app.factory.js';
import { loadConfig } from '../../src/config/config.js';
import { PrismaService } from '../../src/prisma/prisma.service.js';
import { REDIS } from '../../src/redis/redis.module.js';

export interface Response<T = any> {
  status: number;
  headers: Record<string, string>;
  body: T;
}

type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

/** An API client bound to one key, speaking real HTTP to the app on a loopback port. */
export class Client {
  constructor(
    readonly baseUrl: string,
    readonly key?: string,
  ) {}

  async request<T = any>(method: Method, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response<T>> {
    const response = await fetch(this.baseUrl + url, {
      method,
      headers: {
        ...(this.key && { authorization: `Bearer ${this.key}` }),
        ...(body !== undefined && typeof body !== 'string' && { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body !== undefined && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
    const text = await response.text();
    const isJson = /json/.test(response.headers.get('content-type') ?? '');
    return { status: response.status, headers: Object.fromEntries(response.headers), body: isJson && text ? JSON.parse(text) : text };
  }

  get = <T = any>(url: string) => this.request<T>('GET', url);
  post = <T = any>(url: string, body?: unknown, headers?: Record<string, string>) => this.request<T>('POST', url, body, headers);
  patch = <T = any>(url: string, body?: unknown) => this.request<T>('PATCH', url, body);
  put = <T = any>(url: string, body?: unknown) => this.request<T>('PUT', url, body);
  delete = <T = any>(url: string) => this.request<T>('DELETE', url);
}

/** The API app with a fresh database, a platform-admin client and helpers to set up tenants. */
export class TestApi {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly baseUrl: string,
    readonly admin: Client,
  ) {}

  /** `env` overrides the test environment for this app only (e.g. DNS_SERVERS of a test DNS server). */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<TestApi> {
    const app = await createApiApp(loadConfig({ ...process.env, ...env }));
    await resetState(app);
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.getHttpServer().address() as AddressInfo;
    const baseUrl = `http://127.0.0.1:${port}`;
    const adminKey = await app.get(ApiKeysService).createPlatformKey('test admin');
    return new TestApi(app, baseUrl, new Client(baseUrl, adminKey));
  }

  get db(): PrismaService {
    return this.app.get(PrismaService);
  }

  client(key?: string): Client {
    return new Client(this.baseUrl, key);
  }

  /** A reseller with a full-access key (and the given limits). */
  async reseller(limits: Record<string, number | null> = {}, name = 'Reseller'): Promise<{ id: string; client: Client }> {
    const reseller = await this.admin.post('/v1/resellers', { name, ...limits });
    expect(reseller.status).toBe(201);
    const key = await this.admin.post('/v1/api-keys', { name: `${name} key`, resellerId: reseller.body.id });
    expect(key.status).toBe(201);
    return { id: reseller.body.id, client: this.client(key.body.key) };
  }

  /** A reseller (with the given limits) and one domain of its own, named `name`. */
  async resellerWithDomain(name: string, limits: Record<string, number | null> = {}) {
    const reseller = await this.reseller(limits, name);
    const domain = await reseller.client.post('/v1/domains', { name });
    expect(domain.status).toBe(201);
    return { ...reseller, domainId: domain.body.id as string };
  }

  /** Another key for the same tenant as `client`, e.g. a read-only one. */
  async keyLike(client: Client, options: Record<string, unknown>): Promise<Client> {
    const key = await client.post('/v1/api-keys', { name: 'derived key', ...options });
    expect(key.status).toBe(201);
    return this.client(key.body.key);
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}

/** TRUNCATE every table and drop this worker's Redis keys: each test file starts from nothing. */
export async function resetState(app: INestApplicationContext): Promise<void> {
  const prisma = app.get(PrismaService);
  const tables = await prisma.$queryRaw<{ tablename: string }[]>`
    SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' AND tablename <> '_prisma_migrations'`;
  await prisma.$executeRawUnsafe(`TRUNCATE ${tables.map((t) => `"${t.tablename}"`).join(', ')} CASCADE`);
  const redis = app.get<Redis>(REDIS);
  const prefix = redis.options.keyPrefix ?? '';
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys.map((k) => k.slice(prefix.length)));
}

/** A password every preset accepts (length, all classes, strong, not common, no context). */
export const GOOD_PASSWORD = 'Quartz-Lantern-Fjord-71!';
