import { type Response, TestApi } from '../support/api.js';

const LIMIT = 3;
const WINDOW_MS = 60_000;
const env = { PUBLIC_RATE_LIMIT_REQUESTS: String(LIMIT), PUBLIC_RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_MS / 1000) };

const autodiscoverBody = `<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
  <Request><EMailAddress>a@x.test</EMailAddress>
  <AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request>
</Autodiscover>`;

// Every public route family is limited per client IP; the count lives in Redis, so two API
// processes (two apps here, on one Redis and one key prefix) share it.
describe('public routes: rate limits', () => {
  let one: TestApi;
  let two: TestApi;

  beforeAll(async () => {
    one = await TestApi.start(env);
    two = await TestApi.start(env);
    // Fixed windows: start the bursts in a window that will not end during them.
    const msLeft = WINDOW_MS - (Date.now() % WINDOW_MS);
    if (msLeft < 15_000) await new Promise((resolve) => setTimeout(resolve, msLeft + 50));
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  // Each family's requests, cycled through: several paths of one family share its count, and
  // malformed requests count as well.
  const families: Record<string, ((api: TestApi) => Promise<Response>)[]> = {
    autoconfig: [
      (api) => api.client().get('/mail/config-v1.1.xml?emailaddress=a%40x.test'),
      (api) => api.client().get('/.well-known/autoconfig/mail/config-v1.1.xml'),
      (api) => api.client().get('/mail/config-v1.1.xml?emailaddress=%00'),
    ],
    autodiscover: [
      (api) => api.client().post('/autodiscover/autodiscover.xml', autodiscoverBody, { 'content-type': 'text/xml' }),
      (api) => api.client().get('/autodiscover/autodiscover.json?Email=a%40x.test&Protocol=AutodiscoverV1'),
      (api) => api.client().get('/AutoDiscover/AutoDiscover.json/v1.0/a@x.test?Protocol=AutodiscoverV1'),
    ],
    mobileconfig: [(api) => api.client().get('/mobileconfig?email=a%40x.test')],
    pacc: [(api) => api.client().get('/.well-known/user-agent-configuration.json')],
    'mta-sts': [(api) => api.client().get('/.well-known/mta-sts.txt')],
    lookup: [(api) => api.client().get('/lookup/settings?email=a%40x.test')],
    'lookup page': [(api) => api.client().get('/lookup')],
  };

  it.each(Object.keys(families))('answers %s with 429 problem+json and Retry-After past the limit, counted across processes', async (family) => {
    const requests = families[family];
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT; i++) statuses.push((await requests[i % requests.length](i % 2 ? two : one)).status);
    expect(statuses).not.toContain(429);
    for (const api of [one, two]) {
      const limited = await requests[0](api);
      expect(limited.status).toBe(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body).toMatchObject({ status: 429, code: 'rate_limited' });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(WINDOW_MS / 1000);
    }
  });

  it('leaves the routes that are not public documents alone', async () => {
    for (let i = 0; i <= LIMIT; i++) expect((await one.client().get('/health/live')).status).toBe(200);
  });
});
