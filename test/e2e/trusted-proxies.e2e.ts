import { TestApi } from '../support/api.js';

// The request IP, as IP-bound keys see it, over real HTTP from 127.0.0.1: X-Forwarded-For counts
// only when the connection comes from a listed proxy, and then its right-most address that is
// not a proxy is the client. What the client wrote further left is its own claim.
const CLIENT = '198.51.100.7';
const SPOOFED = '203.0.113.9';

async function keysBoundTo(api: TestApi, ...ranges: string[]) {
  return Promise.all(ranges.map(async (range) => {
    const created = await api.admin.post('/v1/api-keys', { name: `only ${range}`, allowedIps: [range] });
    expect(created.status).toBe(201);
    return api.client(created.body.key);
  }));
}

describe('behind trusted proxies (TRUSTED_PROXIES=127.0.0.1)', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ TRUSTED_PROXIES: '127.0.0.1' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('takes the right-most address that is not a trusted proxy as the client', async () => {
    const [client, spoofed, loopback] = await keysBoundTo(api, `${CLIENT}/32`, `${SPOOFED}/32`, '127.0.0.0/8');
    const header = { 'x-forwarded-for': `${SPOOFED}, ${CLIENT}` };
    expect((await client.request('GET', '/v1/domains', undefined, header)).status).toBe(200);
    const refused = await spoofed.request('GET', '/v1/domains', undefined, header);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ip_not_allowed');
    expect((await loopback.request('GET', '/v1/domains', undefined, header)).status).toBe(403);
    // A client that names an address after its own (the proxy appends the real one) gains nothing.
    expect((await spoofed.request('GET', '/v1/domains', undefined, { 'x-forwarded-for': `${CLIENT}, ${SPOOFED}` })).status).toBe(200);
    expect((await client.request('GET', '/v1/domains', undefined, { 'x-forwarded-for': `${CLIENT}, ${SPOOFED}` })).status).toBe(403);
    // Trusted proxies in the chain are skipped; without the header the proxy itself is the client.
    expect((await client.request('GET', '/v1/domains', undefined, { 'x-forwarded-for': `${SPOOFED}, ${CLIENT}, 127.0.0.1` })).status).toBe(200);
    expect((await loopback.get('/v1/domains')).status).toBe(200);
    expect((await client.get('/v1/domains')).status).toBe(403);
  });
});

describe('without TRUSTED_PROXIES', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await TestApi.start({ TRUSTED_PROXIES: '' });
  });
  afterAll(async () => {
    await api?.close();
  });

  it('ignores X-Forwarded-For: the connection\'s address is the client', async () => {
    const [client, loopback] = await keysBoundTo(api, `${CLIENT}/32`, '127.0.0.0/8');
    const header = { 'x-forwarded-for': CLIENT };
    const refused = await client.request('GET', '/v1/domains', undefined, header);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('ip_not_allowed');
    expect((await loopback.request('GET', '/v1/domains', undefined, header)).status).toBe(200);
  });
});
