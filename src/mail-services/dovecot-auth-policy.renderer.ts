import type { AuthPolicyClientSettings } from '../activity/auth-policy-settings.js';

export const DOVECOT_AUTH_POLICY_CONF_PATH = '/etc/dovecot/conf.d/95-postmaster-auth-policy.conf';

/**
 * The attributes Dovecot posts (JSON, each value a string). %{requested_username} is the login
 * exactly as the client sent it — not hashed, so the rules see the account — %{rip} the client
 * address, %s the service (imap, pop3, smtp, submission). Report requests add `success` and
 * `policy_reject` booleans. No password hash: Postmaster has no use for it. %{passdb:app_password_id}
 * is the app password the login used (a field of the app-passwords passdb; empty after the main
 * password): a successful report sets that app password's lastUsedAt.
 */
export const AUTH_POLICY_REQUEST_ATTRIBUTES =
  'login=%{requested_username} remote=%{rip} protocol=%s session_id=%{session} app_password_id=%{passdb:app_password_id}';

/** Dovecot 2.3's authentication-policy client pointed at Postmaster (doc/wiki/Authentication.Policy.txt). */
export function renderDovecotAuthPolicy(settings: AuthPolicyClientSettings, header: string): string {
  return [
    header,
    `auth_policy_server_url = ${settings.url}`,
    `auth_policy_server_api_header = ${settings.header}: ${settings.secret}`,
    `auth_policy_hash_nonce = ${settings.hashNonce}`,
    `auth_policy_request_attributes = ${AUTH_POLICY_REQUEST_ATTRIBUTES}`,
    // Before authentication: blocked clients and locked accounts are refused, even with the right
    // password. After it: a lock taken meanwhile still counts. The report feeds the rules.
    'auth_policy_check_before_auth = yes',
    'auth_policy_check_after_auth = yes',
    'auth_policy_report_after_auth = yes',
    // Postmaster answers from Redis and itself fails open (AUTH_POLICY_FAIL_CLOSED); an unreachable
    // API lets logins through as well. Set yes to refuse logins while the API is down.
    'auth_policy_reject_on_fail = no',
    'auth_policy_server_timeout_msecs = 2000',
    '',
  ].join('\n');
}
