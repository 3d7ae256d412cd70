import { type PeerCertificate, type TLSSocket, checkServerIdentity } from 'node:tls';
import { CERTIFICATE_EXPIRY_WARNING_DAYS } from './monitoring.constants.js';

export interface ProbeProblem {
  code: string;
  severity: 'error' | 'warning';
  message: string;
}

export interface CertificateSummary {
  subject: string | null;
  altNames: string[];
  issuer: string | null;
  validFrom: string;
  validTo: string;
  daysLeft: number;
}

const DAY_MS = 86_400_000;
// Reported by Node when the chain is fine and only the name is not: checked separately below.
const NAME_MISMATCH = 'ERR_TLS_CERT_ALTNAME_INVALID';
// Expiry is reported from the dates, with the date in the message.
const EXPIRED = 'CERT_HAS_EXPIRED';

/** What the server's certificate says, and what is wrong with it for `host` at `now`. */
export function checkCertificate(socket: TLSSocket, host: string, now: Date): { certificate: CertificateSummary | null; problems: ProbeProblem[] } {
  const peer = socket.getPeerCertificate();
  if (!peer || Object.keys(peer).length === 0) {
    return { certificate: null, problems: [{ code: 'certificate_missing', severity: 'error', message: 'The server presented no certificate.' }] };
  }
  const certificate = summarize(peer, now);
  const problems: ProbeProblem[] = [];
  const chainError = socket.authorized ? null : String(socket.authorizationError ?? 'unknown');
  if (chainError && chainError !== NAME_MISMATCH && chainError !== EXPIRED) {
    problems.push({ code: 'certificate_untrusted', severity: 'error', message: `The certificate chain is not trusted (${chainError}).` });
  }
  if (checkServerIdentity(host, peer) !== undefined) {
    const names = certificate.altNames.length ? certificate.altNames.join(', ') : (certificate.subject ?? 'no name');
    problems.push({ code: 'certificate_name_mismatch', severity: 'error', message: `The certificate is for ${names}, not ${host}.` });
  }
  const validTo = new Date(peer.valid_to);
  if (validTo.getTime() <= now.getTime()) {
    problems.push({ code: 'certificate_expired', severity: 'error', message: `The certificate expired on ${validTo.toISOString()}.` });
  } else if (certificate.daysLeft < CERTIFICATE_EXPIRY_WARNING_DAYS) {
    problems.push({
      code: 'certificate_expires_soon',
      severity: 'warning',
      message: `The certificate expires on ${validTo.toISOString()}, in ${certificate.daysLeft} days: renew it.`,
    });
  }
  return { certificate, problems };
}

function summarize(peer: PeerCertificate, now: Date): CertificateSummary {
  const altNames = (peer.subjectaltname ?? '')
    .split(', ')
    .filter((name) => name.startsWith('DNS:'))
    .map((name) => name.slice(4));
  return {
    subject: typeof peer.subject?.CN === 'string' ? peer.subject.CN : null,
    altNames,
    issuer: typeof peer.issuer?.CN === 'string' ? peer.issuer.CN : null,
    validFrom: new Date(peer.valid_from).toISOString(),
    validTo: new Date(peer.valid_to).toISOString(),
    daysLeft: Math.floor((new Date(peer.valid_to).getTime() - now.getTime()) / DAY_MS),
  };
}
