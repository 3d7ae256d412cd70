import { Problem } from '../common/problem.js';
import { composeJson, jsonEnvelope } from './message-composition.js';
import { MessageSendDto } from './messages.dto.js';
import { parseRawMessage } from './raw-message.js';

const options = { id: '0b8f4c1e-4a5e-4c47-9d57-1f6a3c0c9e11', maxRecipients: 10, now: new Date('2026-11-26T10:00:00Z') };

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (error) {
    if (error instanceof Problem) return error;
    throw error;
  }
  throw new Error('no problem raised');
}

describe('raw messages', () => {
  it('keeps folded headers and the body byte for byte (8-bit included), removes Bcc, adds Message-ID and Date', () => {
    const body = Buffer.from('Grüße\n', 'utf8');
    const input = Buffer.concat([Buffer.from('From: "Ann" <Ann@Sender.TEST>\nTo: a@x.example\nBcc: hidden@y.example,\n more@y.example\nX-Long: one\n\ttwo\n\n'), body]);
    const message = parseRawMessage(input, options);
    expect(message.from).toEqual({ name: 'Ann', address: 'ann@sender.test', domain: 'sender.test' });
    expect(message.recipients).toEqual([
      { address: 'a@x.example', field: 'to', domain: 'x.example' },
      { address: 'hidden@y.example', field: 'bcc', domain: 'y.example' },
      { address: 'more@y.example', field: 'bcc', domain: 'y.example' },
    ]);
    expect(message.messageIdHeader).toBe(`<${options.id}@sender.test>`);
    expect(message.raw.toString('utf8')).toBe(
      `Message-ID: <${options.id}@sender.test>\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n` +
      'From: "Ann" <Ann@Sender.TEST>\r\nTo: a@x.example\r\nX-Long: one\r\n\ttwo\r\n\r\nGrüße\r\n',
    );
  });

  it('keeps a Message-ID and Date the message has', () => {
    const message = parseRawMessage(Buffer.from('Message-ID: <own@x>\r\nDate: Mon, 1 Jan 2026 00:00:00 +0000\r\nFrom: a@sender.test\r\nTo: b@x.example\r\n\r\nhi'), options);
    expect(message.messageIdHeader).toBe('<own@x>');
    expect(message.raw.toString()).toBe('Message-ID: <own@x>\r\nDate: Mon, 1 Jan 2026 00:00:00 +0000\r\nFrom: a@sender.test\r\nTo: b@x.example\r\n\r\nhi');
  });

  it('refuses what is not a message', () => {
    expect(problemOf(() => parseRawMessage(Buffer.from('no header here\n\nbody'), options)).code).toBe('malformed_message');
    expect(problemOf(() => parseRawMessage(Buffer.from('From: a@sender.test\nTo: b@x.example\0\n\nx'), options)).code).toBe('malformed_message');
    expect(problemOf(() => parseRawMessage(Buffer.from('To: b@x.example\n\nx'), options)).errors?.[0]).toMatchObject({ field: 'From' });
    expect(problemOf(() => parseRawMessage(Buffer.from('From: a@sender.test\n\nx'), options)).errors?.[0]).toMatchObject({ code: 'no_recipients' });
    const many = Array.from({ length: 11 }, (_, i) => `r${i}@x.example`).join(', ');
    expect(problemOf(() => parseRawMessage(Buffer.from(`From: a@sender.test\nTo: ${many}\n\nx`), options)).code).toBe('too_many_recipients');
  });
});

describe('JSON messages', () => {
  it('refuses CR/LF in any header-bound field before parsing addresses', () => {
    const dto = MessageSendDto.parse({ from: 'a@sender.test', to: ['b@x.example'], headers: { 'X-Ok': 'fine\r\nBcc: c@evil.example' } });
    expect(problemOf(() => jsonEnvelope(dto, 10))).toMatchObject({ status: 422, code: 'header_injection' });
  });

  it('writes IDN recipients as A-labels and dedupes the envelope, first field winning', async () => {
    const dto = MessageSendDto.parse({ from: 'Ann <ann@sender.test>', to: ['jürgen@bücher.example'], cc: ['JÜRGEN@BÜCHER.example'], bcc: ['x@y.example'], text: 'hi' });
    expect(problemOf(() => jsonEnvelope(dto, 10))).toMatchObject({ errors: [{ field: 'to.0', code: 'invalid_address' }] });
    const ascii = MessageSendDto.parse({ from: 'Ann <ann@sender.test>', to: ['Jo@Bücher.example'], cc: ['jo@bücher.example'], bcc: ['x@y.example'], text: 'hi' });
    const envelope = jsonEnvelope(ascii, 10);
    expect(envelope.recipients).toEqual([
      { address: 'Jo@xn--bcher-kva.example', field: 'to', domain: 'xn--bcher-kva.example' },
      { address: 'x@y.example', field: 'bcc', domain: 'y.example' },
    ]);
    const message = await composeJson(ascii, envelope, options);
    const raw = message.raw.toString();
    expect(raw).toContain('To: Jo@xn--bcher-kva.example\r\n');
    expect(raw).toContain('Cc: jo@xn--bcher-kva.example\r\n');
    expect(raw).not.toContain('x@y.example');
    expect(raw).toContain(`Message-ID: <${options.id}@sender.test>\r\n`);
  });
});
