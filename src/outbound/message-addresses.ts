import addressparser from 'nodemailer/lib/addressparser';
import { normalizeDomain, parseAddress } from '../common/names.js';
import { type FieldError, Problem } from '../common/problem.js';

export type RecipientField = 'to' | 'cc' | 'bcc';

export interface Mailbox {
  name: string;
  /** Local part as written, domain as a lower-case A-label. */
  address: string;
  domain: string;
}

export interface Recipient {
  address: string;
  field: RecipientField;
  domain: string;
}

// RFC 5322 dot-atom in either case; quoted local parts and SMTPUTF8 ones are not sent.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const MAX_LOCAL_PART_LENGTH = 64;
// A header value that carries CR or LF would start a header of its own (or the body); NUL is
// refused by SMTP servers and truncates in C-based filters.
const HEADER_BREAKING = /[\r\n\0]/;

/** 422 `header_injection` naming each field whose value could break out of its header. */
export function assertNoHeaderInjection(fields: [field: string, value: string | undefined][]): void {
  const errors: FieldError[] = fields
    .filter(([, value]) => value !== undefined && HEADER_BREAKING.test(value))
    .map(([field]) => ({ field, code: 'header_injection', message: 'Header values cannot contain CR, LF or NUL.' }));
  if (errors.length) throw new Problem(422, 'header_injection', 'A header value contains CR, LF or NUL.', errors);
}

/** Every address in an address-list value (groups flattened), each validated. */
export function parseAddressList(value: string, field: string): Mailbox[] {
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length === 0) throw Problem.invalidField(field, 'invalid_address', 'No address found.');
  return parsed.map((entry) => toMailbox(entry.name, entry.address, field));
}

/** The one sender address of a From value. Its local part is lower-cased: it names a mailbox here. */
export function parseSender(value: string, field: string): Mailbox {
  const list = parseAddressList(value, field);
  if (list.length !== 1) throw Problem.invalidField(field, 'invalid_address', 'From must be exactly one address.');
  const own = parseAddress(list[0].address);
  if ('code' in own) throw Problem.invalidField(field, own.code, own.message);
  return { name: list[0].name, address: own.address, domain: own.domain };
}

function toMailbox(name: string, address: string, field: string): Mailbox {
  const at = address.lastIndexOf('@');
  const localPart = address.slice(0, at);
  if (at < 1 || localPart.length > MAX_LOCAL_PART_LENGTH || !LOCAL_PART.test(localPart)) {
    throw Problem.invalidField(field, 'invalid_address', `"${address}" is not an address Postmaster can send to.`);
  }
  const domain = normalizeDomain(address.slice(at + 1));
  if (!('name' in domain)) throw Problem.invalidField(field, domain.code, `"${address}": ${domain.message}`);
  return { name, address: `${localPart}@${domain.name}`, domain: domain.name };
}

/** The envelope: every address once (the first field it appears in wins), in order. */
export function envelopeRecipients(lists: [RecipientField, Mailbox[]][], max: number): Recipient[] {
  const seen = new Map<string, Recipient>();
  for (const [field, list] of lists) {
    for (const mailbox of list) {
      const key = mailbox.address.toLowerCase();
      if (!seen.has(key)) seen.set(key, { address: mailbox.address, field, domain: mailbox.domain });
    }
  }
  if (seen.size === 0) throw Problem.invalidField('to', 'no_recipients', 'A message needs at least one recipient.');
  if (seen.size > max) {
    throw new Problem(422, 'too_many_recipients', `A message may have at most ${max} recipients; this one has ${seen.size}.`);
  }
  return [...seen.values()];
}
