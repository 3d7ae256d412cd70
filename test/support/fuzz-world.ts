import { randomUUID } from 'node:crypto';
import { authPolicyClientSettings } from '../../src/activity/auth-policy-settings.js';
import { CONFIG, type Config } from '../../src/config/config.js';
import { type Client, GOOD_PASSWORD, type TestApi } from './api.js';

/** One reseller's objects, each of every kind a path parameter can name. */
export interface FuzzTenant {
  resellerId: string;
  client: Client;
  domain: string;
  domainId: string;
  address: string;
  mailboxId: string;
  /** Kept current: a fuzzed password change that succeeds moves it. */
  password: string;
  aliasId: string;
  domainAliasId: string;
  apiKeyId: string;
  messageId: string;
  alertId: string;
  appPasswordId: string;
  /** A person of the tenant (issue 12) and one session of theirs. */
  userId: string;
  sessionId: string;
  /** A webhook endpoint (issue 16) and one delivery of it (a test event). */
  webhookId: string;
  webhookDeliveryId: string;
}

export interface FuzzWorld {
  admin: Client;
  a: FuzzTenant;
  b: FuzzTenant;
  authPolicyHeader: Record<string, string>;
}

async function created(response: Promise<{ status: number; body: any }>, what: string): Promise<any> {
  const { status, body } = await response;
  if (status < 200 || status > 299) throw new Error(`fuzz world: ${what} answered ${status} ${JSON.stringify(body)}`);
  return body;
}

/** A reseller with an active domain, a mailbox, an alias, a domain alias, a second key, a message and an alert. */
async function tenant(api: TestApi, label: string): Promise<FuzzTenant> {
  const domain = `${label}-fuzz.test`;
  const reseller = await api.resellerWithDomain(domain);
  // A platform admin may activate a domain without DNS proof: the world needs live domains.
  await created(api.admin.patch(`/v1/domains/${reseller.domainId}`, { status: 'active' }), `activate ${domain}`);
  const address = `user@${domain}`;
  const mailbox = await created(reseller.client.post('/v1/mailboxes', { address, password: GOOD_PASSWORD, displayName: 'Fuzz User' }), 'mailbox');
  const alias = await created(reseller.client.post('/v1/aliases', { source: `info@${domain}`, destinations: [address] }), 'alias');
  const domainAlias = await created(
    reseller.client.post('/v1/domain-aliases', { aliasDomain: `alias.${domain}`, targetDomainId: reseller.domainId }),
    'domain alias',
  );
  const key = await created(reseller.client.post('/v1/api-keys', { name: `${label} second key`, scopes: ['domains:read'] }), 'api key');
  const message = await created(
    reseller.client.post('/v1/messages', { from: address, to: [`someone@${label}-elsewhere.test`], subject: 'fuzz', text: 'hello' }),
    'message',
  );
  const appPassword = await created(reseller.client.post(`/v1/mailboxes/${mailbox.id}/app-passwords`, { name: 'Fuzz phone' }), 'app password');
  const user = await created(reseller.client.post('/v1/users', { email: `person@${domain}`, role: 'reseller-admin' }), 'user');
  await created(api.client().post('/v1/auth/login', { email: `person@${domain}`, password: user.oneTimePassword }), 'login');
  const session = await api.db.session.findFirstOrThrow({ where: { userId: user.id } });
  // No login monitor runs here: an alert row as the monitor would write it.
  const alert = await api.db.alert.create({
    data: {
      resellerId: reseller.id, mailboxId: mailbox.id, rule: 'login.failures_per_account', severity: 'warning',
      summary: 'fuzz alert', evidence: { failures: 12 }, dedupeKey: `fuzz:${randomUUID()}`,
    },
  });
  const webhook = await created(reseller.client.post('/v1/webhooks', { url: 'https://93.184.216.34/hook' }), 'webhook');
  const webhookTest = await created(reseller.client.post(`/v1/webhooks/${webhook.id}/test`), 'webhook test event');
  return {
    webhookId: webhook.id, webhookDeliveryId: webhookTest.deliveryId,
    resellerId: reseller.id, client: reseller.client, domain, domainId: reseller.domainId, address, mailboxId: mailbox.id,
    password: GOOD_PASSWORD, aliasId: alias.id, domainAliasId: domainAlias.id, apiKeyId: key.id, messageId: message.id, alertId: alert.id,
    appPasswordId: appPassword.id, userId: user.id, sessionId: session.id,
  };
}

export async function buildFuzzWorld(api: TestApi): Promise<FuzzWorld> {
  const a = await tenant(api, 'alpha');
  const b = await tenant(api, 'beta');
  const { header, secret } = authPolicyClientSettings(api.app.get<Config>(CONFIG));
  return { admin: api.admin, a, b, authPolicyHeader: { [header]: secret } };
}
