import { randomInt } from 'node:crypto';

// Four groups of four, typed on a phone: lower case and digits without the look-alikes
// (0/o, 1/l/i). 16 characters of 31 symbols, about 79 bits.
const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
const GROUPS = 4;
const GROUP_CHARS = 4;

/**
 * The password exactly as shown ("abcd-efgh-jkmn-pqrs"), and its selector: the first group, which
 * Dovecot's query passes as %4w to find the one row to verify (its SQL passdb reads one row).
 */
export function newAppPassword(): { password: string; selector: string } {
  const group = () => Array.from({ length: GROUP_CHARS }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
  const groups = Array.from({ length: GROUPS }, group);
  return { password: groups.join('-'), selector: groups[0] };
}
