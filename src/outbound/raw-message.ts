import { Problem } from '../common/problem.js';
import { envelopeRecipients, parseAddressList, parseSender } from './message-addresses.js';
import type { ComposedMessage, CompositionOptions } from './message-composition.js';

// A message given as it is (POST /v1/messages with Content-Type: message/rfc822). It is parsed
// only as far as sending needs: the header fields (RFC 5322 §2.2, with RFC 6532 UTF-8 allowed),
// From for the sender check, To/Cc/Bcc for the envelope. The body is passed on untouched apart
// from line ends, which become CRLF as SMTP and DKIM expect.
const FIELD = /^([\x21-\x39\x3b-\x7e]+):(.*)$/s;
const CONTINUATION = /^[ \t]/;

interface HeaderField {
  name: string;
  /** The value, unfolded, as UTF-8 text. */
  value: string;
  /** The field as it was written (folded), latin1 so that every byte is kept. */
  text: string;
}

function malformed(detail: string): Problem {
  return new Problem(422, 'malformed_message', detail);
}

function parseHeader(block: string): HeaderField[] {
  const fields: HeaderField[] = [];
  for (const line of block.split('\r\n')) {
    if (CONTINUATION.test(line) && fields.length) {
      const last = fields.at(-1)!;
      last.text += `\r\n${line}`;
      last.value += Buffer.from(line, 'latin1').toString('utf8');
      continue;
    }
    const match = FIELD.exec(line);
    if (!match) throw malformed(`The header line "${line.slice(0, 60)}" is not a header field.`);
    fields.push({ name: match[1].toLowerCase(), value: Buffer.from(match[2], 'latin1').toString('utf8').trim(), text: line });
  }
  return fields;
}

/** The sender and envelope of a raw message, and its bytes ready to store (Bcc removed). */
export function parseRawMessage(bytes: Buffer, options: CompositionOptions): ComposedMessage {
  const text = bytes.toString('latin1').replace(/\r\n|\r|\n/g, '\r\n');
  if (text.includes('\0')) throw malformed('The message contains NUL bytes.');
  const end = text.indexOf('\r\n\r\n');
  const block = end === -1 ? text.replace(/\r\n$/, '') : text.slice(0, end);
  const body = end === -1 ? '' : text.slice(end + 4);
  if (!block) throw malformed('The message has no header.');
  const fields = parseHeader(block);
  const all = (name: string) => fields.filter((f) => f.name === name);

  const fromFields = all('from');
  if (fromFields.length !== 1) throw Problem.invalidField('From', 'invalid_address', 'The message needs exactly one From header.');
  const from = parseSender(fromFields[0].value, 'From');
  const lists = (['to', 'cc', 'bcc'] as const).map((field) =>
    [field, all(field).flatMap((f) => (f.value ? parseAddressList(f.value, field === 'to' ? 'To' : field === 'cc' ? 'Cc' : 'Bcc') : []))] as const);
  const recipients = envelopeRecipients(lists.map(([f, l]) => [f, l]), options.maxRecipients);

  // What the message lacks is added on top, the way a submission server completes it (RFC 6409 §8).
  const messageIdHeader = all('message-id')[0]?.value || `<${options.id}@${from.domain}>`;
  const added = [
    ...(all('message-id').length ? [] : [`Message-ID: ${messageIdHeader}`]),
    ...(all('date').length ? [] : [`Date: ${options.now.toUTCString().replace('GMT', '+0000')}`]),
  ];
  const kept = fields.filter((f) => f.name !== 'bcc').map((f) => f.text);
  const raw = Buffer.from(`${[...added, ...kept].join('\r\n')}\r\n\r\n${body}`, 'latin1');
  return {
    raw,
    from,
    fromHeader: fromFields[0].value,
    recipients,
    subject: all('subject')[0] ? decodeWords(all('subject')[0].value) : null,
    messageIdHeader,
  };
}

// RFC 2047 encoded words (=?charset?B|Q?…?=), so that the stored subject is readable text.
function decodeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[bqBQ]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([bqBQ])\?([^?]*)\?=/g, (word, charset: string, encoding: string, data: string) => {
      try {
        const bytes = encoding.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1');
        return new TextDecoder(charset).decode(bytes);
      } catch {
        return word;
      }
    });
}
