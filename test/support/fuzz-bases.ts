import { GOOD_PASSWORD } from './api.js';
import type { FuzzTenant, FuzzWorld } from './fuzz-world.js';

// Valid requests for the fuzz test: one body per operation that takes one, and a value per path
// and query parameter name. Each call makes fresh names, so a variant that is accepted does not
// turn the next one into a mere conflict. An operation of /openapi.json missing here fails the test.

let counter = 0;
const next = () => ++counter;
const MIB = 1024 * 1024;
const FAR_FUTURE = '2099-01-01T00:00:00Z';
/** A {SHA512-CRYPT} hash (of "secret") as another panel exports it. */
const IMPORTED_HASH = '{SHA512-CRYPT}$6$AiW/ijerUt.1Bys2$l0C9tlVqoW28Zqan6oHlsjJFg1ZV9ycjjsMbgimkovcadpzcO..XOP8/pknhN3WmLo49cBOsVG2Fs4Nb3V5F80';
const POLICY = {
  minLength: 12, maxLength: 128, requireLower: true, requireUpper: true, requireDigit: true, requireSymbol: true,
  minScore: 2, blocklist: true, context: true, historySize: 0,
};
const WEAK_FLOOR = {
  minLength: 8, maxLength: 128, requireLower: false, requireUpper: false, requireDigit: false, requireSymbol: false,
  minScore: 0, blocklist: true, context: false, historySize: 0,
};
const endpoint = (host: string, implicitTlsPort: number, starttlsPort: number) => ({ host, implicitTls: true, implicitTlsPort, starttls: true, starttlsPort });
const sendLimits = { messagesPerHour: 500, messagesPerDay: 5000, recipientsPerHour: 1000, recipientsPerDay: 10000 };
export const freshPassword = () => `Quartz-Lantern-Fjord-${next()}!`;

/** Operations whose accepted valid request changes the mailbox password the next ones must send as current. */
export const PASSWORD_SETTERS: Record<string, (body: any) => string> = {
  'PUT /v1/mailboxes/{id}/password': (body) => body.password,
  'POST /v1/mailboxes/{id}/password/change': (body) => body.newPassword,
};

type BodyBuilder = (t: FuzzTenant, world: FuzzWorld) => unknown;

export const BODIES: Record<string, BodyBuilder> = {
  'POST /v1/api-keys': () => ({ name: `fuzz key ${next()}`, scopes: ['domains:read'], readOnly: true, allowedIps: ['127.0.0.0/8'], expiresAt: FAR_FUTURE }),
  'POST /v1/resellers': (t) => ({ name: `Fuzz reseller ${next()}`, maxDomains: 10, maxMailboxes: 100, maxStorageBytes: 100 * MIB * 1024, notificationEmail: `ops@${t.domain}` }),
  'PATCH /v1/resellers/{id}': (t) => ({
    name: 'Alpha', maxDomains: 1000, maxMailboxes: 10000, maxStorageBytes: null, notificationEmail: `ops@${t.domain}`,
    mailHostnames: { imap: `imap.${t.domain}`, pop3: null, smtp: `smtp.${t.domain}` },
  }),
  'PATCH /v1/alerts/{id}': () => ({ state: 'acknowledged' }),
  'PUT /v1/notification-settings': (t) => ({ email: `alerts@${t.domain}` }),
  'POST /v1/integrations/dovecot/auth-policy': (t) => ({ login: t.address, remote: '192.0.2.10', protocol: 'imap', session_id: `s${next()}`, success: true, policy_reject: false }),
  'POST /v1/events': (t) => ({ type: 'login', login: t.address, remoteIp: '192.0.2.20', protocol: 'imap', success: true }),
  'PUT /v1/mailboxes/{id}/login-lock': () => ({ reason: 'fuzz lock' }),
  'POST /v1/messages': (t, w) => ({
    from: `Fuzz <${t.address}>`, to: [w.b.address], cc: [`cc@${t.domain}`], bcc: ['bcc@example.org'], replyTo: t.address,
    subject: 'Fuzz', text: 'hello', html: '<p>hello</p>', headers: { 'X-Fuzz': 'yes' },
    attachments: [{ filename: 'a.txt', content: 'aGVsbG8=', contentType: 'text/plain', cid: 'a@fuzz.test' }],
  }),
  'POST /v1/domains': () => ({ name: `fuzz-${next()}.test`, description: 'fuzz domain' }),
  'PATCH /v1/domains/{id}': (t) => ({
    description: 'fuzzed', status: 'active', mailHostnames: { imap: `imap.${t.domain}`, pop3: null, smtp: null },
    sendLimits, mtaSts: { mode: 'testing', maxAgeSeconds: 86400 },
  }),
  'POST /v1/domains/{id}/dkim/rotate': () => ({ algorithm: 'ed25519' }),
  'PATCH /v1/domain-aliases/{id}': () => ({ status: 'active' }),
  'POST /v1/domain-aliases': (t) => ({ aliasDomain: `a${next()}.${t.domain}`, targetDomainId: t.domainId }),
  'POST /v1/mailboxes': (t) => ({
    address: `fz${next()}@${t.domain}`, password: GOOD_PASSWORD, displayName: 'Fuzz', quotaBytes: 10 * MIB, enabled: true,
    protocols: { imap: true, pop3: false, smtp: true },
  }),
  'POST /v1/mailboxes/import': (t) => ({
    mailboxes: [{ address: `imp${next()}@${t.domain}`, passwordHash: IMPORTED_HASH, displayName: 'Imported', quotaBytes: 10 * MIB, enabled: true }],
  }),
  'PUT /v1/mailboxes/{id}/password': () => ({ password: freshPassword() }),
  'POST /v1/mailboxes/{id}/password/change': (t) => ({ currentPassword: t.password, newPassword: freshPassword() }),
  'PATCH /v1/mailboxes/{id}': () => ({
    displayName: 'Fuzz User', quotaBytes: 20 * MIB, enabled: true, protocols: { imap: true, pop3: true, smtp: true },
    sendLimits, sendingSuspended: false, sendingSuspendedReason: null,
  }),
  'POST /v1/mailboxes/{id}/app-passwords': () => ({ name: 'Fuzz tablet', protocols: ['imap', 'smtp'] }),
  // People (issue 12). The login names no account: a refusal then records a login event only
  // (fuzz.e2e.ts allows exactly that write), never a person's audit entry.
  'POST /v1/auth/login': () => ({ email: 'nobody@fuzz-people.test', password: 'not the password' }),
  'POST /v1/auth/password-reset': () => ({ email: 'nobody@fuzz-people.test' }),
  'POST /v1/auth/password-reset/confirm': () => ({ token: 'A'.repeat(43), password: freshPassword() }),
  'POST /v1/me/password': () => ({ currentPassword: GOOD_PASSWORD, newPassword: freshPassword() }),
  // People, part C: the TOTP step (an unknown challenge: refused, nothing written), a person's
  // own TOTP and a mailbox owner's own routes (API keys: 403 session_required / mailbox_session_required).
  'POST /v1/auth/login/totp': () => ({ challenge: 'A'.repeat(43), code: '123456' }),
  'POST /v1/me/mfa/totp/confirm': () => ({ code: '123456' }),
  'POST /v1/me/mfa/totp/recovery-codes': () => ({ code: '123456' }),
  'DELETE /v1/me/mfa/totp': () => ({ code: '123456' }),
  'PATCH /v1/me': () => ({ requireAppPasswords: false }),
  'POST /v1/me/app-passwords': () => ({ name: 'Fuzz phone', protocols: ['imap'] }),
  'POST /v1/users': (t) => ({ email: `fuzz${next()}@${t.domain}`, role: 'reseller-viewer' }),
  'PATCH /v1/users/{id}': () => ({ role: 'reseller-admin', disabled: false }),
  'PUT /v1/password-policy': () => ({ policy: POLICY }),
  'PUT /v1/password-policy/floor': () => ({ floor: WEAK_FLOOR }),
  'POST /v1/password-policy/check': (t) => ({ password: GOOD_PASSWORD, address: t.address, displayName: 'Fuzz User' }),
  'PUT /v1/domains/{id}/password-policy': () => ({ policy: POLICY }),
  'POST /v1/aliases': (t) => ({ source: `al${next()}@${t.domain}`, destinations: [t.address, 'ext@example.org'], enabled: true }),
  'PATCH /v1/aliases/{id}': (t) => ({ destinations: [t.address], enabled: true }),
  'POST /v1/webhooks': () => ({ url: `https://93.184.216.34/hook/${next()}`, events: ['mailbox.created', 'message.bounced'], description: 'Fuzz CRM', enabled: true }),
  'PATCH /v1/webhooks/{id}': () => ({ url: 'https://93.184.216.34/hook', events: [], description: 'Fuzzed', enabled: true }),
  'PUT /v1/mail-services/endpoints': () => ({
    imap: endpoint('imap.platform.test', 993, 143), pop3: endpoint('pop3.platform.test', 995, 110),
    smtp: endpoint('smtp.platform.test', 465, 587), usernameForm: 'address',
  }),
};

/** The object a path's `{id}` names, by the path's resource segment. */
const PATH_IDS: [RegExp, keyof FuzzTenant][] = [
  [/^\/v1\/api-keys\//, 'apiKeyId'],
  [/^\/v1\/resellers\//, 'resellerId'],
  [/^\/v1\/alerts\//, 'alertId'],
  [/^\/v1\/mailboxes\//, 'mailboxId'],
  [/^\/v1\/messages\//, 'messageId'],
  [/^\/v1\/domains\//, 'domainId'],
  [/^\/v1\/domain-aliases\//, 'domainAliasId'],
  [/^\/v1\/aliases\//, 'aliasId'],
  [/^\/v1\/users\//, 'userId'],
  [/^\/v1\/auth\/sessions\//, 'sessionId'],
  [/^\/v1\/me\/app-passwords\//, 'appPasswordId'],
  [/^\/v1\/webhooks\//, 'webhookId'],
];

/** A path parameter's value for tenant `t`, or undefined when the test does not know the parameter. */
export function pathValue(path: string, name: string, t: FuzzTenant): string | undefined {
  if (name === 'address') return t.address;
  if (name === 'appPasswordId') return t.appPasswordId;
  if (name === 'deliveryId') return t.webhookDeliveryId;
  if (name !== 'id') return undefined;
  const field = PATH_IDS.find(([pattern]) => pattern.test(path))?.[1];
  return field && String(t[field]);
}

/** A query parameter's valid value by name (enums take their first value), or undefined. */
export function queryValue(name: string, schema: { enum?: unknown[] }, t: FuzzTenant): string | undefined {
  if (name === 'command') return 'report';
  if (schema.enum) return String(schema.enum[0]);
  const byName: Record<string, string> = {
    limit: '10', q: 'u', rule: 'login.failures_per_account', action: 'mailbox.create', since: '2020-01-01T00:00:00Z',
    until: FAR_FUTURE, mailboxId: t.mailboxId, domainId: t.domainId, targetDomainId: t.domainId, targetId: t.mailboxId,
    email: t.address, emailaddress: t.address, Email: t.address, Protocol: 'AutodiscoverV1',
  };
  return byName[name];
}
