import { existsSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

// Every setting Postmaster reads from the environment, validated once at boot. Both entrypoints
// (API and worker) share this object; a missing or malformed variable stops the process with a
// message that names it.
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const schema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgresql:// URL' }),
  // The root secret; per-purpose keys are derived from it (src/common/secrets.ts).
  POSTMASTER_SECRET: z.string().min(32, { error: 'must be at least 32 characters (e.g. `openssl rand -base64 32`)' }),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: 'must be a redis:// URL' }).default('redis://127.0.0.1:6379'),
  REDIS_KEY_PREFIX: z.string().regex(/^[\w:.-]*$/).default('pm:'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: flag.default(false),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  ARGON2_MEMORY_KIB: z.coerce.number().int().min(19456).default(19456),
  ARGON2_TIME_COST: z.coerce.number().int().min(2).default(2),
  ARGON2_PARALLELISM: z.coerce.number().int().min(1).default(1),
  IDEMPOTENCY_TTL_HOURS: z.coerce.number().int().positive().default(24),
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
  // Outgoing mail. Unset relay: direct to each recipient domain's MX hosts.
  OUTBOUND_RELAY_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  OUTBOUND_RETRY_BASE_MS: z.coerce.number().int().min(1).default(5 * 60_000),
  OUTBOUND_RETRY_MAX_MS: z.coerce.number().int().min(1).default(60 * 60_000),
  OUTBOUND_MAX_LIFETIME_MS: z.coerce.number().int().min(1).default(5 * 24 * 3_600_000),
  MAIL_SERVICES_MAIL_ROOT: z
    .string()
    .regex(/^(\/[\w.-]+)+$/, { error: 'must be an absolute path of letters, digits, ".", "_" and "-", without a trailing slash' })
    .default('/var/vmail'),
});

export type Config = z.infer<typeof schema>;

/** What node:dns accepts: an IP address, optionally with a port (`[v6]:port` for IPv6). */
function isDnsServer(entry: string): boolean {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d{1,5}))?$/.exec(entry);
  if (!match) return isIP(entry) === 6;
  const port = match[3] === undefined ? 53 : Number(match[3]);
  return isIP(match[1] ?? match[2]) !== 0 && port > 0 && port < 65536;
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
