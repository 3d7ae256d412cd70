import { Client, GOOD_PASSWORD, type Response, type TestApi } from './api.js';

export const SESSION_COOKIE = 'pm_session';

/** The session cookie's value in a login answer, or undefined. */
export function sessionCookieOf(response: Response): string | undefined {
  return new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(response.headers['set-cookie'] ?? '')?.[1];
}

/** A client that speaks as a person: the session cookie on every request, the CSRF token on writes. */
export class SessionClient extends Client {
  constructor(baseUrl: string, readonly cookie: string, readonly csrf: string | undefined) {
    super(baseUrl);
  }

  override request<T = any>(method: Parameters<Client['request']>[0], url: string, body?: unknown, headers: Record<string, string> = {}) {
    return super.request<T>(method, url, body, {
      cookie: `${SESSION_COOKIE}=${this.cookie}`, ...(this.csrf && { 'x-csrf-token': this.csrf }), ...headers,
    });
  }

  withoutCsrf(): SessionClient {
    return new SessionClient(this.baseUrl, this.cookie, undefined);
  }
}

export async function logIn(api: TestApi, email: string, password: string): Promise<SessionClient> {
  const response = await api.client().post('/v1/auth/login', { email, password });
  expect({ status: response.status, body: response.body }).toMatchObject({ status: 200 });
  return new SessionClient(api.baseUrl, sessionCookieOf(response)!, response.body.csrfToken);
}

/**
 * A person of `role` (created by `creator`, a platform admin unless given), signed in, with its
 * one-time password already replaced by GOOD_PASSWORD.
 */
export async function staff(api: TestApi, email: string, role: string, resellerId?: string, creator: Client = api.admin) {
  const created = await creator.post('/v1/users', { email, role, ...(resellerId && { resellerId }) });
  expect({ status: created.status, body: created.body }).toMatchObject({ status: 201 });
  const first = await logIn(api, email, created.body.oneTimePassword);
  const changed = await first.post('/v1/me/password', { currentPassword: created.body.oneTimePassword, newPassword: GOOD_PASSWORD });
  expect({ status: changed.status, body: changed.body }).toMatchObject({ status: 200 });
  const session = new SessionClient(api.baseUrl, sessionCookieOf(changed)!, changed.body.csrfToken);
  return { id: created.body.id as string, session };
}
