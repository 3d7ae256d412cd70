// Reads an RFC 3464 report back, independently of how src/outbound/delivery/dsn.ts writes it:
// RFC 5322 header unfolding, the multipart boundary from Content-Type, and the
// message/delivery-status field groups separated by blank lines.

export interface ParsedPart {
  headers: Record<string, string>;
  body: string;
}

export interface ParsedReport {
  headers: Record<string, string>;
  parts: ParsedPart[];
  perMessage: Record<string, string>;
  recipients: Record<string, string>[];
}

export function parseHeaders(section: string): Record<string, string> {
  const unfolded = section.replace(/\r?\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

export function splitMessage(raw: string): ParsedPart {
  const end = raw.search(/\r?\n\r?\n/);
  const blank = raw.slice(end).match(/^\r?\n\r?\n/)![0];
  return { headers: parseHeaders(raw.slice(0, end)), body: raw.slice(end + blank.length) };
}

export function parseReport(raw: Buffer | string): ParsedReport {
  const message = splitMessage(raw.toString());
  const boundary = /boundary="?([^";]+)"?/.exec(message.headers['content-type'] ?? '')?.[1];
  if (!boundary) throw new Error('not a multipart message');
  const sections = message.body.split(`--${boundary}`);
  const parts = sections.slice(1, -1).map((section) => splitMessage(section.replace(/^\r?\n/, '')));
  const status = parts.find((p) => p.headers['content-type']?.startsWith('message/delivery-status'));
  const groups = (status?.body ?? '').trim().split(/\r?\n\r?\n/).map(parseHeaders);
  return { headers: message.headers, parts, perMessage: groups[0] ?? {}, recipients: groups.slice(1) };
}
