import { parseTagList } from '../dkim/dkim-record.js';

export type DmarcPolicy = 'none' | 'quarantine' | 'reject';

const POLICY = /^(none|quarantine|reject)$/;
// RFC 7489 §6.3: the syntax of each tag's value. Unknown tags are ignored (§6.3, last paragraph).
const TAG_SYNTAX: Record<string, RegExp> = {
  p: POLICY,
  sp: POLICY,
  adkim: /^[rs]$/,
  aspf: /^[rs]$/,
  pct: /^(100|[1-9]?\d)$/,
  fo: /^[01ds](:[01ds])*$/,
  rf: /^[a-z0-9-]+(:[a-z0-9-]+)*$/i,
  ri: /^\d+$/,
  rua: /^(mailto:[^,!\s]+|https?:\/\/[^,!\s]+)(!\d+[kmgt]?)?(,\s*(mailto:[^,!\s]+|https?:\/\/[^,!\s]+)(!\d+[kmgt]?)?)*$/i,
  ruf: /^(mailto:[^,!\s]+|https?:\/\/[^,!\s]+)(!\d+[kmgt]?)?(,\s*(mailto:[^,!\s]+|https?:\/\/[^,!\s]+)(!\d+[kmgt]?)?)*$/i,
};

/**
 * A parsed DMARC record (RFC 7489 §6.3), or what is wrong with it. Not mailauth's: it parses a
 * record only inside its DNS lookup (getDmarcRecord, with the organizational-domain fallback)
 * and validates nothing (a missing p=, or pct=abc, passes), while finding such faults is this
 * check's purpose.
 */
export function parseDmarc(text: string): { policy: DmarcPolicy } | { error: string } {
  const tags = parseTagList(text);
  if (!tags) return { error: 'is not a list of tag=value pairs separated by ";"' };
  const [first] = tags.keys();
  if (first !== 'v' || tags.get('v') !== 'DMARC1') return { error: 'must start with "v=DMARC1;"' };
  if (!tags.has('p')) return { error: 'has no p= policy' };
  for (const [tag, value] of tags) {
    const syntax = TAG_SYNTAX[tag];
    if (syntax && !syntax.test(value)) return { error: `has an invalid ${tag}= value "${value}"` };
  }
  return { policy: tags.get('p') as DmarcPolicy };
}

export const isDmarcRecord = (text: string) => /^v\s*=\s*DMARC1/i.test(text);
