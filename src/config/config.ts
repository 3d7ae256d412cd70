import ipaddr from 'ipaddr.js';
import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';
import { DEFAULT_LOGIN_RULES, loginRulesSetting } from '../activity/login-rules.js';
import { DEFAULT_SENDING_RULES, sendingRulesSetting } from '../activity/sending-rules.js';
import { parseAddress } from '../common/names.js';

// Every setting Postmaster reads from the environment, validated once at boot. Both entrypoints
// (API and worker) share this object; a missing or malformed variable stops the process with a
// message that names it.
const hostList = z
  .string()
  .transform((list) => list.split(',').map((s) => s.trim().toLowerCase().replace(/\.$/, '')).filter(Boolean))
  .pipe(z.array(z.string().regex(/^[a-z0-9.-]+$/, { error: 'must be host names separated by commas' })).min(1));
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
// IP ranges in CIDR form (`withBareIps`: a single address too), separated by commas; empty: none.
const cidrList = (withBareIps: boolean) => z
  .string()
  .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
  .pipe(z.array(z.string().refine((entry) => isCidr(entry) || (withBareIps && isIP(entry) !== 0), {
    error: withBareIps ? 'must be IP addresses or CIDR ranges separated by commas' : 'must be CIDR ranges separated by commas, e.g. 10.0.0.0/8',
  })));
const notificationAddress = z.string().refine((a) => 'address' in parseAddress(a), { error: 'must be an e-mail address' })
  .transform((a) => (parseAddress(a) as { address: string }).address);

const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }),
  // The root secret; per-purpose keys are derived from it (src/common/secrets.ts).
  POSTMASTER_SECRET: z.string().min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' }),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]*$/).default('pm:'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // The reverse proxies in front of the API (IPs or CIDRs): X-Forwarded-For is read only from
  // them, and the request IP is its right-most address that is not one of them. Empty: ignored.
  TRUSTED_PROXIES: cidrList(true).default([]),
  // Replaced by TRUSTED_PROXIES: `true` trusted the client's own left-most X-Forwarded-For.
  TRUST_PROXY: z.never({ error: 'is no longer supported: list the reverse proxies in TRUSTED_PROXIES' }).optional(),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().positive().default(24),
  // GET /metrics answers only `Authorization: Bearer <METRICS_TOKEN>`; unset, the route does not
  // exist (404). An RFC 6750 b64token, as Prometheus' `authorization.credentials` sends it.
  METRICS_TOKEN: z.string().min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' })
    .regex(/^[\w.~+/-]+=*$/, { error: 'must be letters, digits and -._~+/ (a bearer token)' }).optional(),
  MAIL_HOSTNAME: z.string().min(1).default('mail.example.net'),
  // The HTTPS host serving the mail-client documents and /lookup: where each domain's
  // autoconfig/autodiscover CNAMEs point. Unset: MAIL_HOSTNAME (MailEndpointsService.webHost).
  PUBLIC_HOSTNAME: z.string().min(1).optional(),
  // The live probe of the advertised endpoints connects here instead of resolving each advertised
  // host name; TLS still checks the advertised name (a proxy in front, or loopback in tests).
  MAIL_PROBE_ADDRESS: z.string().min(1).optional(),
  // Per step of a probe: connect, TLS handshake, each protocol reply.
  MAIL_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  // CAs the probe trusts besides Node's bundled ones (PEM), e.g. a private CA of the mail servers.
  MAIL_PROBE_CA_FILE: z.string().min(1).refine((path) => existsSync(path), { error: 'must name an existing file' }).optional(),
  // What GET /v1/mail-services/config tells Postfix and Dovecot: the database they read (a
  // read-only role that may SELECT the mail views is enough) and where the maildirs live.
  MAIL_SERVICES_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }).optional(),
  // Every DNS lookup Postmaster makes (domain verification, DNS checks, MX for outgoing mail) asks
  // these servers, `host:port` separated by commas; unset: the system's resolvers.
  DNS_SERVERS: z
    .string()
    .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine(isDnsServer, { error: 'must be IP:port entries separated by commas ([v6]:port for IPv6)' })).min(1))
    .optional(),
  DNS_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  // Domains and DNS (README, "Domains and DNS"). Host lists are comma-separated host names.
  // The platform's inbound MX hosts that every hosted domain's MX must point at; unset: MAIL_HOSTNAME.
  MAIL_MX_HOSTS: hostList.optional(),
  // A domain whose SPF record lists the platform's outbound addresses, for customers to
  // `include:`; unset: the expected SPF names the outbound host with `a:`.
  MAIL_SPF_INCLUDE: z.string().regex(/^[a-z0-9.-]+$/i, { error: 'must be a host name' }).optional(),
  // The addresses the platform sends from, which each domain's SPF must authorize; unset: the
  // A/AAAA addresses of OUTBOUND_HELO_NAME (or MAIL_HOSTNAME), resolved at check time.
  MAIL_OUTBOUND_IPS: z
    .string()
    .transform((list) => list.split(',').map((s) => s.trim()).filter(Boolean))
    .pipe(z.array(z.string().refine((ip) => isIP(ip) !== 0, { error: 'must be IP addresses separated by commas' })).min(1))
    .optional(),
  // An unverified domain is deleted this long after its creation (its name is free again).
  DOMAIN_VERIFICATION_EXPIRY_HOURS: z.coerce.number().int().min(1).default(7 * 24),
  // How often the worker re-checks pending domains, refreshes DNS checks and advances DKIM rotations.
  DOMAIN_DNS_SWEEP_EVERY_MS: z.coerce.number().int().min(100).default(10 * 60_000),
  // The public routes (mail-client documents, /lookup, the MTA-STS policy): requests per client IP
  // (IPv6: per /64) and fixed window, per route family (src/settings-lookup/public-rate-limit.guard.ts).
  PUBLIC_RATE_LIMIT_REQUESTS: z.coerce.number().int().min(1).default(60),
  PUBLIC_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  // GET /v1/domains/{id}/dns-check answers from the last check while it is younger than this.
  DNS_CHECK_CACHE_SECONDS: z.coerce.number().int().min(0).default(300),
  // The DNS check fetches each MTA-STS policy as senders do (https://mta-sts.<domain>/, port 443).
  // Tests and air-gapped installs point the port at a proxy and add a private CA (PEM) to Node's.
  MTA_STS_FETCH_PORT: z.coerce.number().int().min(1).max(65535).default(443),
  MTA_STS_FETCH_CA_FILE: z.string().min(1).refine((path) => existsSync(path), { error: 'must name an existing file' }).optional(),
  // Automatic DKIM rotation: a next key once the active one is this old; 0 turns it off.
  DKIM_ROTATION_DAYS: z.coerce.number().int().min(0).default(180),
  // A retired selector's record is reported safe to remove this long after the switch.
  DKIM_RETIRE_GRACE_HOURS: z.coerce.number().int().min(0).default(7 * 24),
  // Ranges that connections a tenant can point somewhere (MX delivery, the MTA-STS fetch, probes
  // of tenants' host names) may reach although private, loopback or reserved (src/net/).
  PRIVATE_DESTINATIONS_ALLOWED: cidrList(false).default([]),
  // Outgoing mail. Unset relay: direct to each recipient domain's MX hosts.
  OUTBOUND_RELAY_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  OUTBOUND_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5 * 60_000),
  OUTBOUND_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60 * 60_000),
  OUTBOUND_MAX_LIFETIME_MS: z.coerce.number().int().min(1).default(5 * 24 * 3_600_000),
  // POST /v1/messages: the composed message (attachments included) and its envelope recipients.
  OUTBOUND_MAX_MESSAGE_BYTES: z.coerce.number().int().min(1024).max(512 * 1024 * 1024).default(25 * 1024 * 1024),
  OUTBOUND_MAX_RECIPIENTS: z.coerce.number().int().min(1).max(10_000).default(100),
  // The platform's caps on sending, per mailbox and per domain: the limits a reseller sets stay
  // within them, and they apply wherever no limit is set (src/outbound/send-limits.ts).
  OUTBOUND_CAP_MESSAGES_PER_HOUR: z.coerce.number().int().min(0).default(1_000),
  OUTBOUND_CAP_MESSAGES_PER_DAY: z.coerce.number().int().min(0).default(10_000),
  OUTBOUND_CAP_RECIPIENTS_PER_HOUR: z.coerce.number().int().min(0).default(5_000),
  OUTBOUND_CAP_RECIPIENTS_PER_DAY: z.coerce.number().int().min(0).default(50_000),
  // Delivery worker (src/outbound/delivery/). A delay notice (RFC 3464 `Action: delayed`) goes
  // to the sender once a message has waited this long.
  OUTBOUND_DELAY_NOTICE_MS: z.coerce.number().int().min(1).default(4 * 3_600_000),
  // How long a claimed message belongs to one worker; a worker that dies holds it no longer.
  // Every attempt is aborted before its lease ends, so two workers never send the same message.
  OUTBOUND_LEASE_MS: z.coerce.number().int().min(1000).default(15 * 60_000),
  OUTBOUND_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  OUTBOUND_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).default(30_000),
  // Inactivity on an open SMTP session (RFC 5321 §4.5.3.2 suggests minutes per command).
  OUTBOUND_SOCKET_TIMEOUT_MS: z.coerce.number().int().min(100).default(5 * 60_000),
  // The EHLO name; unset: MAIL_HOSTNAME.
  OUTBOUND_HELO_NAME: z.string().regex(/^[a-z0-9.-]+$/i, { error: 'must be a host name' }).optional(),
  // Port of direct (MX) delivery: 25 on the internet; tests and port-25-blocked hosts point it elsewhere.
  OUTBOUND_MX_PORT: z.coerce.number().int().min(1).max(65535).default(25),
  OUTBOUND_RECONCILE_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
  // A final message's body (delivered, bounced or cancelled) is emptied this many days after it
  // became final; its metadata, recipients and attempts stay (src/maintenance/).
  MESSAGE_RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  // Direct delivery: `opportunistic` uses STARTTLS when offered (a failed handshake is a temporary
  // failure), `opportunistic-plain-fallback` retries that host in plain text at once, `require`
  // never sends in plain text. The relay is always verified TLS when it offers STARTTLS.
  OUTBOUND_TLS: z.enum(['opportunistic', 'opportunistic-plain-fallback', 'require']).default('opportunistic'),
  MAIL_SERVICES_MAIL_ROOT: z
    .string()
    .regex(/^(\/[\w.-]+)+$/, { error: 'must be an absolute path of letters, digits, ".", "_" and "-", without a trailing slash' })
    .default('/var/vmail'),
  // Login monitoring (src/activity/). Where Dovecot's auth-policy client reaches this API (the
  // generated Dovecot configuration points at it); unset: http://127.0.0.1:PORT.
  MAIL_SERVICES_API_URL: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  // The shared secret Dovecot sends in the X-Postmaster-Auth-Policy header; unset: derived from
  // POSTMASTER_SECRET (GET /v1/mail-services/config shows it).
  AUTH_POLICY_SECRET: z.string().min(32, { error: 'must be at least 32 characters' }).regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces' }).optional(),
  // When Redis does not answer the allow check within AUTH_POLICY_REDIS_TIMEOUT_MS: let the login
  // through (false, logged as a warning) or refuse it (true).
  AUTH_POLICY_FAIL_CLOSED: flag.default(false),
  AUTH_POLICY_REDIS_TIMEOUT_MS: z.coerce.number().int().min(10).max(10_000).default(250),
  // Per-rule overrides of the login rules as JSON, e.g. {"failuresPerIp":{"threshold":5}}.
  LOGIN_RULES: loginRulesSetting.default(DEFAULT_LOGIN_RULES),
  // Outgoing-mail monitoring (src/activity/sending-rules.ts): per-rule overrides as JSON, e.g.
  // {"volumeSpike":{"multiplier":3}}, and how often the worker sweeps every sending mailbox.
  SENDING_RULES: sendingRulesSetting.default(DEFAULT_SENDING_RULES),
  SENDING_MONITOR_EVERY_MS: z.coerce.number().int().min(1000).default(5 * 60_000),
  // The Postfix policy service (src/policy/, `npm run start:policy`): where it listens (the
  // generated main.cf points check_policy_service there), and whether, when Redis does not
  // answer, submitted mail goes through uncounted with a logged warning (true) or is deferred.
  POLICY_HOST: z.string().refine((h) => isIP(h) !== 0, { error: 'must be an IP address' }).default('127.0.0.1'),
  POLICY_PORT: z.coerce.number().int().min(1).max(65535).default(10040),
  POLICY_FAIL_OPEN: flag.default(false),
  // Webhooks (src/webhooks/): the retry ladder (jittered, doubling from BASE up to MAX between
  // attempts) for WEBHOOK_MAX_LIFETIME_MS, the per-attempt timeouts, how long an endpoint may keep
  // failing before it is disabled, and the worker's reconciler period and concurrency.
  WEBHOOK_RETRY_BASE_MS: z.coerce.number().int().min(1).default(30_000),
  WEBHOOK_RETRY_MAX_MS: z.coerce.number().int().min(1).default(6 * 3_600_000),
  WEBHOOK_MAX_LIFETIME_MS: z.coerce.number().int().min(1).default(3 * 24 * 3_600_000),
  WEBHOOK_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(10).max(60_000).default(5_000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(10).max(120_000).default(15_000),
  WEBHOOK_DISABLE_AFTER_MS: z.coerce.number().int().min(1).default(24 * 3_600_000),
  WEBHOOK_RECONCILE_EVERY_MS: z.coerce.number().int().min(100).default(60_000),
  WEBHOOK_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(20),
  // Alert e-mails (src/alerts/alert-notifier.service.ts): the envelope and From address (unset:
  // postmaster@MAIL_HOSTNAME), where the platform's own alerts go (unset: nowhere, unless set
  // through PUT /v1/notification-settings), and the least severity that is e-mailed.
  NOTIFICATION_FROM: notificationAddress.optional(),
  PLATFORM_NOTIFICATION_EMAIL: notificationAddress.optional(),
  NOTIFY_MIN_SEVERITY: z.enum(['info', 'warning', 'critical']).default('warning'),
  // People and logins (issue 12, README "People and logins"). The session cookie is Secure unless
  // this says the dashboard is served over plain HTTP (loopback development, tests).
  SESSION_COOKIE_SECURE: flag.default(true),
  // A session ends after this long without a request, and this long after login whatever happens.
  SESSION_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(30 * 86_400).default(30 * 60),
  SESSION_ABSOLUTE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(90 * 86_400).default(12 * 3600),
  // Failed dashboard logins allowed per account and per client IP within the window, then 429.
  LOGIN_THROTTLE_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(15 * 60),
  LOGIN_THROTTLE_ACCOUNT_FAILURES: z.coerce.number().int().min(1).max(10_000).default(5),
  LOGIN_THROTTLE_IP_FAILURES: z.coerce.number().int().min(1).max(100_000).default(20),
  // People, part C: staff must have TOTP on (until then a login may only enrol), and the
  // password-reset requests allowed per address and per client IP within the window, then 429.
  STAFF_TOTP_REQUIRED: flag.default(false),
  PASSWORD_RESET_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(3600),
  PASSWORD_RESET_ADDRESS_REQUESTS: z.coerce.number().int().min(1).max(1000).default(3),
  PASSWORD_RESET_IP_REQUESTS: z.coerce.number().int().min(1).max(100_000).default(20),
  // The dashboard's address, for the link in password-reset e-mails (unset: the token alone).
  DASHBOARD_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s):// URL' }).optional(),
});

export type Config = z.infer<typeof schema>;

/** What node:dns accepts: an IP address, optionally with a port (`[v6]:port` for IPv6). */
function isDnsServer(entry: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!match) return isIP(entry) === 6;
  const port = match[3] === undefined ? 53 : Number(match[3]);
  return isIP(match[1] ?? match[2]) !== 0 && port > 0 && port < 65536;
}

/** A CIDR range whose address part is a plain IP (ipaddr.js alone also takes forms like 127.1/8). */
function isCidr(entry: string): boolean {
  const [address, bits, ...rest] = entry.split('/');
  return rest.length === 0 && bits !== undefined && isIP(address) !== 0 && ipaddr.isValidCIDR(entry);
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = String(issue.path[0]);
    return env[name] === undefined ? `${name} is required` : `${name} ${issue.message}`;
  });
  throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
}

export const CONFIG = Symbol('CONFIG');
