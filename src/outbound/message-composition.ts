import MailComposer from 'nodemailer/lib/mail-composer';
import {
  type Mailbox, type Recipient, assertNoHeaderInjection, envelopeRecipients, parseAddressList, parseSender,
} from './message-addresses.js';
import type { MessageSendDto } from './messages.dto.js';

/** A message ready to store: its bytes (unsigned), sender and envelope. */
export interface ComposedMessage {
  raw: Buffer;
  from: Mailbox;
  fromHeader: string;
  recipients: Recipient[];
  subject: string | null;
  messageIdHeader: string;
}

export interface CompositionOptions {
  /** The message row's id: the Message-ID becomes `<id@sender's domain>`. */
  id: string;
  maxRecipients: number;
  now: Date;
}

/** The sender and envelope of a JSON request, checked before anything is composed. */
export function jsonEnvelope(dto: MessageSendDto, maxRecipients: number): { from: Mailbox; recipients: Recipient[] } {
  assertNoHeaderInjection([
    ['from', dto.from],
    ...(['to', 'cc', 'bcc'] as const).flatMap((f) => dto[f].map((v, i): [string, string] => [`${f}.${i}`, v])),
    ['replyTo', dto.replyTo],
    ['subject', dto.subject],
    ...Object.entries(dto.headers).flatMap(([k, v]): [string, string][] => [[`headers.${k}`, k], [`headers.${k}`, v]]),
    ...dto.attachments.flatMap((a, i): [string, string | undefined][] => [[`attachments.${i}.filename`, a.filename], [`attachments.${i}.cid`, a.cid]]),
  ]);
  const from = parseSender(dto.from, 'from');
  const lists = (['to', 'cc', 'bcc'] as const).map((field) => [field, dto[field].flatMap((v, i) => parseAddressList(v, `${field}.${i}`))] as const);
  return { from, recipients: envelopeRecipients(lists.map(([f, l]) => [f, l]), maxRecipients) };
}

/** MailComposer builds the MIME tree; Bcc never reaches the bytes (the envelope carries it). */
export async function composeJson(dto: MessageSendDto, envelope: { from: Mailbox; recipients: Recipient[] }, options: CompositionOptions): Promise<ComposedMessage> {
  const { from } = envelope;
  const messageIdHeader = `<${options.id}@${from.domain}>`;
  const replyTo = dto.replyTo === undefined ? undefined : parseAddressList(dto.replyTo, 'replyTo');
  const listOf = (field: 'to' | 'cc') => dto[field].flatMap((v) => parseAddressList(v, field)).map(({ name, address }) => ({ name, address }));
  const composer = new MailComposer({
    from: { name: from.name, address: from.address },
    to: listOf('to'),
    cc: listOf('cc'),
    replyTo: replyTo?.map(({ name, address }) => ({ name, address })),
    subject: dto.subject,
    text: dto.text,
    html: dto.html,
    headers: dto.headers,
    messageId: messageIdHeader,
    date: options.now,
    // Only inline content is ever given, but nothing here may read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    // SMTP and DKIM canonicalisation both want CRLF line ends.
    newline: 'win',
    attachments: dto.attachments.map((a) => ({
      filename: a.filename,
      content: Buffer.from(a.content, 'base64'),
      ...(a.contentType && { contentType: a.contentType }),
      ...(a.cid && { cid: a.cid }),
    })),
  });
  const raw = await composer.compile().build();
  return {
    raw,
    from,
    fromHeader: from.name ? `${from.name} <${from.address}>` : from.address,
    recipients: envelope.recipients,
    subject: dto.subject ?? null,
    messageIdHeader,
  };
}
