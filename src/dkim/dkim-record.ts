/** Tag=value lists of DKIM key records (RFC 6376 §3.2, §3.6.1): whitespace around tags and in values is folding. */
export function parseTagList(text: string): Map<string, string> | null {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    if (!part.trim()) continue;
    const eq = part.indexOf('=');
    if (eq < 0) return null;
    const name = part.slice(0, eq).trim();
    if (!/^[a-z][a-z0-9_]*$/i.test(name) || tags.has(name)) return null;
    tags.set(name, part.slice(eq + 1).trim());
  }
  return tags;
}

/** The key a DKIM record publishes: `k=` (rsa by default) and `p=` without whitespace. */
export function dkimRecordKey(text: string): { algorithm: string; publicKey: string } | null {
  const tags = parseTagList(text);
  if (!tags || (tags.has('v') && tags.get('v') !== 'DKIM1') || !tags.has('p')) return null;
  return { algorithm: tags.get('k') ?? 'rsa', publicKey: tags.get('p')!.replace(/\s+/g, '') };
}
