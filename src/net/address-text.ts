import { isIP } from 'node:net';

// Runs of characters an IP literal (with a port, IPv6 in brackets or not) is made of.
const CANDIDATE = /\[?[0-9a-f:.]*[:.][0-9a-f:.%]*\]?(?::\d{1,5})?/gi;
const PORT_SUFFIX = /(?:\]|(?<=\d)):\d{1,5}$/;

/**
 * `text` with every IP address (and its port) replaced by `name`: Node and nodemailer name the
 * address and port they failed to reach ("connect ECONNREFUSED 10.0.0.5:25"), and such texts
 * reach tenants, who must not learn the platform's internal addresses from them.
 */
export function withoutAddresses(text: string, name: string): string {
  return text.replace(CANDIDATE, (token) => (isAddressToken(token) ? name : token));
}

function isAddressToken(token: string): boolean {
  const bare = token.replace(/^\[/, '').replace(/\]$/, '');
  if (isIP(bare) !== 0) return true;
  return isIP(token.replace(PORT_SUFFIX, '').replace(/^\[/, '').replace(/\]$/, '')) !== 0;
}
