// Postfix's SMTP access policy delegation protocol (SMTPD_POLICY_README): a request is lines of
// `name=value`, ended by an empty line; the answer is `action=…` and an empty line. Postfix keeps
// the connection open for further requests, one at a time.

// Postfix's own requests are well under 1 KB (a few dozen short attributes); these bounds only
// keep a broken or hostile client from growing a buffer without end.
export const MAX_LINE_BYTES = 8 * 1024;
export const MAX_REQUEST_BYTES = 64 * 1024;

export type PolicyRequest = Record<string, string>;

/** Why a connection is closed: its bytes are not the protocol any more. */
export class PolicyProtocolError extends Error {}

/**
 * Splits what a connection sent so far into complete requests and the unfinished rest. Postfix
 * ends lines with LF; a CR before it is tolerated. A line without `=` or a request over the
 * bounds is a protocol error; an attribute sent twice keeps its last value (Postfix never does).
 */
export function takeRequests(buffered: string): { requests: PolicyRequest[]; rest: string } {
  const requests: PolicyRequest[] = [];
  let start = 0;
  for (;;) {
    const end = buffered.indexOf('\n\n', start);
    const endCrLf = buffered.indexOf('\r\n\r\n', start);
    const [stop, width] = pickEnd(end, endCrLf);
    if (stop < 0) break;
    requests.push(parseRequest(buffered.slice(start, stop)));
    start = stop + width;
  }
  const rest = buffered.slice(start);
  if (Buffer.byteLength(rest) > MAX_REQUEST_BYTES) throw new PolicyProtocolError(`request longer than ${MAX_REQUEST_BYTES} bytes`);
  return { requests, rest };
}

function pickEnd(lf: number, crlf: number): [number, number] {
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return [crlf, 4];
  return [lf, 2];
}

/** One request's attribute lines (without the empty line that ends it). */
export function parseRequest(block: string): PolicyRequest {
  if (Buffer.byteLength(block) > MAX_REQUEST_BYTES) throw new PolicyProtocolError(`request longer than ${MAX_REQUEST_BYTES} bytes`);
  // An empty prototype: attribute names are the client's, `__proto__` included.
  const request: PolicyRequest = Object.create(null);
  for (const raw of block.split('\n')) {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.length > MAX_LINE_BYTES) throw new PolicyProtocolError(`attribute line longer than ${MAX_LINE_BYTES} bytes`);
    const eq = line.indexOf('=');
    if (eq <= 0) throw new PolicyProtocolError('attribute line without name=value');
    request[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return request;
}

/** `action=<text>` and the empty line; CR and LF in the text would end the answer early. */
export function renderAnswer(action: string): string {
  return `action=${action.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** An attribute as a count (recipient_count, size); anything else is 0. */
export function countAttribute(request: PolicyRequest, name: string): number {
  const value = request[name];
  return value !== undefined && /^\d{1,15}$/.test(value) ? Number(value) : 0;
}
