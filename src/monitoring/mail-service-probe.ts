import type { Encryption, MailProtocol } from '../settings-lookup/mail-endpoints.js';
import { type CertificateSummary, type ProbeProblem, checkCertificate } from './certificate-check.js';
import { DIALOGS } from './mail-protocol-dialogs.js';
import { ProbeConnection, ProbeFailure } from './probe-connection.js';

export interface ProbeTarget {
  protocol: MailProtocol;
  encryption: Encryption;
  /** The advertised host name: what TLS must prove. */
  host: string;
  port: number;
}

export interface ProbeOptions {
  /** Where to connect (an IP literal already checked, or the operator's MAIL_PROBE_ADDRESS); the advertised host name when unset. */
  address?: string;
  timeoutMs: number;
  /** CAs to trust instead of Node's bundle (which the caller includes when it wants it). */
  ca?: string[];
  ehloName: string;
  now?: () => Date;
}

export interface EndpointStatus extends ProbeTarget {
  status: 'ok' | 'warning' | 'error';
  problems: ProbeProblem[];
  greeting: string | null;
  certificate: CertificateSummary | null;
}

/**
 * Connects to one advertised endpoint the way a client would and reports what a client would
 * run into, step by step: TCP, TLS as advertised (at once, or after STARTTLS), the certificate
 * for the advertised name, the greeting, and for SMTP that AUTH is offered inside TLS.
 */
export async function probeEndpoint(target: ProbeTarget, options: ProbeOptions): Promise<EndpointStatus> {
  const result: EndpointStatus = { ...target, status: 'ok', problems: [], greeting: null, certificate: null };
  const dialog = DIALOGS[target.protocol];
  let connection: ProbeConnection | undefined;
  let step: 'connect' | 'greeting' | 'tls' | 'session' = 'connect';
  try {
    connection = await open(target, options);
    if (target.encryption === 'starttls') {
      step = 'greeting';
      result.greeting = await dialog.greet(connection);
      await dialog.requestTls(connection, options.ehloName);
    }
    step = 'tls';
    const secure = await connection.startTls(target.host, options.ca);
    const { certificate, problems } = checkCertificate(secure, target.host, options.now?.() ?? new Date());
    result.certificate = certificate;
    result.problems.push(...problems);
    step = 'session';
    if (target.encryption === 'ssl') result.greeting = await dialog.greet(connection);
    await dialog.checkSecureSession(connection, options.ehloName);
    dialog.quit(connection);
  } catch (error) {
    const failure = error instanceof ProbeFailure ? error : new ProbeFailure('probe_failed', String(error));
    result.problems.push(await explain(failure, target, step, options));
  } finally {
    connection?.close();
  }
  result.status = result.problems.some((p) => p.severity === 'error') ? 'error' : result.problems.length ? 'warning' : 'ok';
  return result;
}

/** An endpoint not connected to at all (no address, or only ones the destination policy refuses). */
export function notProbed(target: ProbeTarget, problem: ProbeProblem): EndpointStatus {
  return { ...target, status: 'error', problems: [problem], greeting: null, certificate: null };
}

function open(target: ProbeTarget, options: ProbeOptions): Promise<ProbeConnection> {
  return ProbeConnection.open(options.address ?? target.host, target.port, options.timeoutMs, target.host);
}

// The classic misconfiguration is a mode mix-up: implicit TLS advertised for a port that greets
// in plaintext, or STARTTLS for one that waits for a handshake. A second connection tells which,
// so the report says what is wrong instead of only "handshake failed" or "no greeting".
async function explain(failure: ProbeFailure, target: ProbeTarget, step: string, options: ProbeOptions): Promise<ProbeProblem> {
  const problem: ProbeProblem = { code: failure.code, severity: 'error', message: failure.message };
  if (target.encryption === 'ssl' && step === 'tls' && failure.code !== 'tls_timeout') {
    const greeting = await plaintextGreeting(target, options);
    if (greeting !== null && DIALOGS[target.protocol].greeting.test(greeting)) {
      return {
        code: 'plaintext_not_implicit_tls',
        severity: 'error',
        message: `Port ${target.port} greets in plaintext ("${greeting.slice(0, 60)}") instead of starting TLS: it is advertised as implicit TLS but looks like a STARTTLS port.`,
      };
    }
  }
  if (target.encryption === 'starttls' && step === 'greeting' && failure.code === 'reply_timeout' && (await speaksImplicitTls(target, options))) {
    return {
      code: 'implicit_tls_not_starttls',
      severity: 'error',
      message: `Port ${target.port} sends no greeting but accepts a TLS handshake: it speaks implicit TLS, yet STARTTLS is advertised.`,
    };
  }
  return problem;
}

async function plaintextGreeting(target: ProbeTarget, options: ProbeOptions): Promise<string | null> {
  const connection = await open(target, options).catch(() => null);
  try {
    return connection ? await connection.readLine() : null;
  } catch {
    return null;
  } finally {
    connection?.close();
  }
}

async function speaksImplicitTls(target: ProbeTarget, options: ProbeOptions): Promise<boolean> {
  const connection = await open(target, options).catch(() => null);
  try {
    return connection ? Boolean(await connection.startTls(target.host, options.ca)) : false;
  } catch {
    return false;
  } finally {
    connection?.close();
  }
}
