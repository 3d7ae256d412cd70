import { mkdirSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';
import type { Redis } from 'ioredis';
import { REDIS } from '../../src/redis/redis.module.js';
import { TestApi } from '../support/api.js';

process.env.MAIL_HOSTNAME = 'mail.platform.test';

const ARTIFACTS = 'test/artifacts';
// PUBLIC_RATE_LIMIT_REQUESTS and _WINDOW_SECONDS of this app.
const LOOKUP_RATE_LIMIT_REQUESTS = 20;
const LOOKUP_RATE_WINDOW_MS = 60_000;
// Debian's chromium, headless and kept off the network (it would otherwise phone home).
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

// The public lookup page in a real browser, and the rate limit of the JSON behind it.
describe('lookup page', () => {
  let api: TestApi;
  let browser: Browser;

  beforeAll(async () => {
    api = await TestApi.start({ PUBLIC_RATE_LIMIT_REQUESTS: String(LOOKUP_RATE_LIMIT_REQUESTS), PUBLIC_RATE_LIMIT_WINDOW_SECONDS: '60' });
    const hosted = await api.admin.post('/v1/domains', { name: 'hosted.test' });
    expect((await api.admin.patch(`/v1/domains/${hosted.body.id}`, { status: 'active' })).status).toBe(200);
    await api.admin.put('/v1/mail-services/endpoints', {
      imap: { host: 'imap.platform.test', implicitTls: true, starttls: true },
      pop3: { host: 'pop.platform.test', implicitTls: true, starttls: false },
      smtp: { host: 'smtp.platform.test', implicitTls: false, starttls: true },
    });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.close();
  });

  it('shows the servers for a typed address, with the Apple profile and the IMAP/POP3 explanation', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => message.type() === 'error' && errors.push(message.text()));
    await page.goto(`${api.baseUrl}/lookup`);
    expect(await page.title()).toBe('Mail settings lookup');
    await page.fill('#email', 'Erin@Hosted.test');
    await page.click('button[type=submit]');
    await page.waitForSelector('#result:not([hidden])');

    // Runs in the page; the tests compile without the DOM types, so the shape is spelled out.
    type Row = { children: ArrayLike<{ textContent: string | null }> };
    const rows = (table: string) => page.$$eval(`#${table} tbody tr`, (trs) => (trs as unknown as Row[]).map((tr) => Array.from(tr.children, (td) => td.textContent)));
    expect(await rows('incoming')).toEqual([
      ['IMAP', 'imap.platform.test', '993', 'SSL/TLS', 'Erin@hosted.test'],
      ['IMAP', 'imap.platform.test', '143', 'STARTTLS', 'Erin@hosted.test'],
      ['POP3', 'pop.platform.test', '995', 'SSL/TLS', 'Erin@hosted.test'],
    ]);
    expect(await rows('outgoing')).toEqual([['SMTP', 'smtp.platform.test', '587', 'STARTTLS', 'Erin@hosted.test']]);
    expect(await page.getAttribute('#profile', 'href')).toBe('/mobileconfig?email=Erin%40hosted.test');
    const text = await page.textContent('body');
    expect(text).toContain('IMAP keeps your mail on the server');
    expect(text).toContain('POP3 downloads your mail to one device');
    await page.screenshot({ path: `${ARTIFACTS}/lookup-page.png`, fullPage: true });
    // No script error and no Content-Security-Policy violation ("Refused to ...") so far.
    expect(errors).toEqual([]);

    // The profile button downloads what /mobileconfig serves.
    const download = await page.request.get(`${api.baseUrl}/mobileconfig?email=Erin%40hosted.test`);
    expect(download.headers()['content-type']).toBe('application/x-apple-aspen-config');

    await page.fill('#email', 'not an address');
    await page.click('button[type=submit]');
    await page.waitForSelector('#status.error');
    expect(await page.textContent('#status')).toBe('That is not an e-mail address. It looks like name@example.com.');
    expect(await page.isHidden('#result')).toBe(true);
    await page.close();
  });

  it('renders an address as text, never as markup', async () => {
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
    await page.goto(`${api.baseUrl}/lookup?email=${encodeURIComponent("o'neil&amp;co<img/src=x onerror=alert(1)>@hosted.test")}`);
    await page.waitForSelector('#status.error');
    // RFC 5322 allows ', & and braces in a local part: shown verbatim.
    await page.goto(`${api.baseUrl}/lookup?email=${encodeURIComponent("o'neil&co{x}@hosted.test")}`);
    await page.waitForSelector('#result:not([hidden])');
    expect(await page.textContent('#address')).toBe("o'neil&co{x}@hosted.test");
    expect(await page.$$('img')).toEqual([]);
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const res = await api.client().get('/lookup');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'sha256-[\w+/=]+'; style-src 'sha256-[\w+/=]+'/);
  });

  it('answers an unknown domain exactly like a hosted one', async () => {
    const hosted = await api.client().get('/lookup/settings?email=x%40hosted.test');
    const unknown = await api.client().get('/lookup/settings?email=x%40unknown.test');
    expect(hosted.status).toBe(200);
    expect(unknown.status).toBe(200);
    expect(JSON.stringify(unknown.body).replaceAll('unknown.test', 'D')).toBe(JSON.stringify(hosted.body).replaceAll('hosted.test', 'D'));
  });

  it('limits lookups per client IP with 429 and Retry-After', async () => {
    // A fresh count in a window that will not end during the burst (windows are fixed).
    const redis = api.app.get<Redis>(REDIS);
    const prefix = redis.options.keyPrefix ?? '';
    const keys = (await redis.keys(`${prefix}public-rate:lookup:*`)).map((key) => key.slice(prefix.length));
    if (keys.length) await redis.del(...keys);
    const msLeftInWindow = LOOKUP_RATE_WINDOW_MS - (Date.now() % LOOKUP_RATE_WINDOW_MS);
    if (msLeftInWindow < 5000) await new Promise((resolve) => setTimeout(resolve, msLeftInWindow + 50));
    const statuses: number[] = [];
    for (let i = 0; i < LOOKUP_RATE_LIMIT_REQUESTS; i++) {
      statuses.push((await api.client().get(`/lookup/settings?email=u${i}%40hosted.test`)).status);
    }
    expect(statuses.every((status) => status === 200)).toBe(true);
    const limited = await api.client().get('/lookup/settings?email=one-more%40hosted.test');
    expect(limited.status).toBe(429);
    expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(limited.body.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(60);
    // The page itself is counted apart from the lookups.
    expect((await api.client().get('/lookup')).status).toBe(200);
  });
});
