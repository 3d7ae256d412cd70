import type { ParsedEmail } from './email-address.js';
import { STANDARD_PORTS } from './settings-lookup.constants.js';

export type MailProtocol = 'imap' | 'pop3' | 'smtp';
export type Encryption = 'ssl' | 'starttls';

/**
 * One protocol as the mail services run it. Ports are part of the model because the
 * provider advertises them (`PUT /v1/mail-services/endpoints`) and a server behind NAT or a
 * test Dovecot listens elsewhere; `defaultEndpoints` fills in the standard ones.
 */
export interface ProtocolEndpoint {
  host: string;
  implicitTls: boolean;
  starttls: boolean;
  implicitTlsPort: number;
  starttlsPort: number;
}

export interface MailEndpoints {
  imap: ProtocolEndpoint;
  pop3: ProtocolEndpoint;
  smtp: ProtocolEndpoint;
  /** What the mail services accept as the login: the full address or its local part. */
  usernameForm: 'address' | 'localPart';
}

/** One way to connect, before a username is attached. */
export interface MailService {
  protocol: MailProtocol;
  host: string;
  port: number;
  encryption: Encryption;
}

export interface ServerSetting extends MailService {
  // The password itself (SASL PLAIN/LOGIN): safe only because every listed service runs inside
  // TLS; cleartext ports are never listed (RFC 8314 §4.1 deprecates them).
  authentication: 'password-cleartext';
  username: string;
}

export interface ServerSettings {
  incoming: ServerSetting[];
  outgoing: ServerSetting[];
}

export function defaultEndpoints(mailHostname: string): MailEndpoints {
  const endpoint = (protocol: MailProtocol): ProtocolEndpoint => ({
    host: mailHostname,
    implicitTls: true,
    starttls: true,
    implicitTlsPort: STANDARD_PORTS[protocol].implicitTls,
    starttlsPort: STANDARD_PORTS[protocol].starttls,
  });
  return { imap: endpoint('imap'), pop3: endpoint('pop3'), smtp: endpoint('smtp'), usernameForm: 'address' };
}

/**
 * Every offered way to connect to one protocol, implicit TLS first (RFC 8314 §5.1).
 * Empty when both modes are switched off.
 */
export function protocolServices(endpoints: MailEndpoints, protocol: MailProtocol): MailService[] {
  const endpoint = endpoints[protocol];
  const services: MailService[] = [];
  if (endpoint.implicitTls) {
    services.push({ protocol, host: endpoint.host, port: endpoint.implicitTlsPort, encryption: 'ssl' });
  }
  if (endpoint.starttls) {
    services.push({ protocol, host: endpoint.host, port: endpoint.starttlsPort, encryption: 'starttls' });
  }
  return services;
}

/**
 * Incoming services grouped by protocol, IMAP first: falling back from IMAP to POP3 changes
 * what the user's mailbox is (downloaded, not synchronized), falling back from implicit TLS
 * to STARTTLS only changes how the same session is protected.
 */
export function incomingServices(endpoints: MailEndpoints): MailService[] {
  return [...protocolServices(endpoints, 'imap'), ...protocolServices(endpoints, 'pop3')];
}

export function outgoingServices(endpoints: MailEndpoints): MailService[] {
  return protocolServices(endpoints, 'smtp');
}

export function loginName(endpoints: MailEndpoints, email: ParsedEmail): string {
  return endpoints.usernameForm === 'localPart' ? email.localPart : email.address;
}

/** The JSON answer of `GET /v1/settings?email=` and the model every other format renders. */
export function serverSettings(endpoints: MailEndpoints, email: ParsedEmail): ServerSettings {
  const username = loginName(endpoints, email);
  const withLogin = (service: MailService): ServerSetting => ({
    ...service,
    authentication: 'password-cleartext',
    username,
  });
  return {
    incoming: incomingServices(endpoints).map(withLogin),
    outgoing: outgoingServices(endpoints).map(withLogin),
  };
}

/** Host names a reseller or a domain advertises instead of the platform's; null keeps the one below. */
export type HostnameOverrides = Partial<Record<MailProtocol, string | null>>;

/**
 * The endpoints with host names overridden, the later overrides winning (platform, then
 * reseller, then domain). Only names change: ports and TLS modes are what the shared mail
 * services run, so they stay the platform's.
 */
export function withHostnames(endpoints: MailEndpoints, ...overrides: HostnameOverrides[]): MailEndpoints {
  const result = { ...endpoints };
  for (const protocol of ['imap', 'pop3', 'smtp'] as const) {
    const host = overrides.reduce<string>((current, override) => override[protocol] ?? current, endpoints[protocol].host);
    result[protocol] = { ...endpoints[protocol], host };
  }
  return result;
}

/** The hosted domain a document is rendered for. */
export interface MailDomain {
  /** Lowercase A-label form, as `parseEmail` returns it. */
  name: string;
  /** What mail clients show as the provider's name. */
  displayName: string;
}
