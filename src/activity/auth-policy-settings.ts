import type { Config } from '../config/config.js';
import { deriveKey } from '../common/secrets.js';

/** The header Dovecot's auth-policy client sends (auth_policy_server_api_header) with the shared secret. */
export const AUTH_POLICY_HEADER = 'X-Postmaster-Auth-Policy';
export const AUTH_POLICY_PATH = '/v1/integrations/dovecot/auth-policy';

export interface AuthPolicyClientSettings {
  url: string;
  header: string;
  secret: string;
  hashNonce: string;
}

/** What Dovecot needs to call the hook; the secret is AUTH_POLICY_SECRET or derived from POSTMASTER_SECRET. */
export function authPolicyClientSettings(config: Config): AuthPolicyClientSettings {
  const base = (config.MAIL_SERVICES_API_URL ?? `http://127.0.0.1:${config.PORT}`).replace(/\/+$/, '');
  return {
    url: `${base}${AUTH_POLICY_PATH}`,
    header: AUTH_POLICY_HEADER,
    secret: config.AUTH_POLICY_SECRET ?? deriveKey(config, 'auth-policy').toString('base64url'),
    // Dovecot requires a nonce for the password hash it could send; Postmaster does not ask for that hash.
    hashNonce: deriveKey(config, 'auth-policy-nonce').toString('base64url'),
  };
}
