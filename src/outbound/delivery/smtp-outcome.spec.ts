import type { NodemailerError } from 'nodemailer';
import { accepted, failed, parseReply, tryNextHost } from './smtp-outcome.js';

const smtpError = (response: string, command = 'RCPT TO', extra: Partial<NodemailerError> = {}): NodemailerError =>
  Object.assign(new Error(`Can't send: ${response}`), { code: 'EENVELOPE', response, responseCode: Number(response.slice(0, 3)), command, ...extra });
const socketError = (code: string, message = 'connect ECONNREFUSED 127.0.0.1:25'): NodemailerError => Object.assign(new Error(message), { code, command: 'CONN' });

describe('SMTP outcome', () => {
  it('reads the reply code and the enhanced status code', () => {
    expect(parseReply('550 5.1.1 <x@example.test>: user unknown')).toEqual({ code: 550, enhanced: '5.1.1' });
    expect(parseReply('451 try again later')).toEqual({ code: 451, enhanced: null });
    expect(parseReply('garbage')).toEqual({ code: null, enhanced: null });
  });

  it('a 250 is delivered, with the reply on one line', () => {
    expect(accepted('250 2.0.0 Ok: queued as ABC\r\n')).toEqual({ outcome: 'delivered', code: 250, enhanced: '2.0.0', response: '250 2.0.0 Ok: queued as ABC', errorCode: null });
  });

  it('a 5yz is permanent, a 4yz and a 503 are temporary', () => {
    expect(failed(smtpError('550 5.1.1 No such user'))).toEqual({ outcome: 'bounced', code: 550, enhanced: '5.1.1', response: '550 5.1.1 No such user', errorCode: null });
    expect(failed(smtpError('451 4.3.0 Try later'))).toMatchObject({ outcome: 'deferred', code: 451, enhanced: '4.3.0' });
    expect(failed(smtpError('503 Bad sequence'))).toMatchObject({ outcome: 'deferred', code: 503, enhanced: '4.0.0' });
    expect(failed(smtpError('554 Transaction failed', 'DATA'))).toMatchObject({ outcome: 'bounced', enhanced: '5.0.0' });
  });

  it('nodemailer\'s own verdict on permanence wins', () => {
    expect(failed(smtpError('552 Mailbox full', 'DATA', { permanent: false }))).toMatchObject({ outcome: 'deferred', code: 552 });
  });

  it('failures without a reply are temporary, with an implied status', () => {
    expect(failed(socketError('ESOCKET'))).toEqual({ outcome: 'deferred', code: null, enhanced: '4.4.1', response: 'connect ECONNREFUSED 127.0.0.1:25', errorCode: 'ESOCKET' });
    expect(failed(socketError('ETIMEDOUT', 'Greeting never received'))).toMatchObject({ outcome: 'deferred', enhanced: '4.4.2', errorCode: 'ETIMEDOUT' });
    expect(failed(socketError('ETLS', 'Error initiating TLS'))).toMatchObject({ outcome: 'deferred', enhanced: '4.7.0' });
    expect(failed(socketError('ECONNECTION', 'Connection closed unexpectedly'))).toMatchObject({ outcome: 'deferred', enhanced: '4.4.2' });
  });

  it('no TLS under a policy that wants it is temporary, even when STARTTLS got a 5yz', () => {
    const refused = Object.assign(new Error('Error upgrading connection with STARTTLS: 500 Error: command not recognized'), {
      code: 'ETLS', response: '500 Error: command not recognized', responseCode: 500, permanent: true, command: 'STARTTLS',
    });
    expect(failed(refused)).toEqual({
      outcome: 'deferred', code: 500, enhanced: '4.7.0', errorCode: 'ETLS',
      response: 'Error upgrading connection with STARTTLS: 500 Error: command not recognized',
    });
    expect(tryNextHost(refused)).toBe(true);
    const handshake = Object.assign(new Error('SSL routines:ssl3_read_bytes:tlsv1 alert protocol version'), {
      code: 'ESOCKET', originalCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', command: 'CONN',
    });
    expect(failed(handshake)).toMatchObject({ outcome: 'deferred', code: null, enhanced: '4.7.0', errorCode: 'ETLS' });
    expect(failed(socketError('ESOCKET'))).toMatchObject({ enhanced: '4.4.1', errorCode: 'ESOCKET' });
  });

  it('a request nodemailer refuses to send is permanent', () => {
    expect(failed(Object.assign(new Error('Invalid sender'), { code: 'EENVELOPE' }))).toMatchObject({ outcome: 'bounced', enhanced: '5.0.0' });
  });

  it('goes on to the next MX host only when the recipients got no answer', () => {
    expect(tryNextHost(socketError('ESOCKET'))).toBe(true);
    expect(tryNextHost(smtpError('421 4.3.2 shutting down', 'CONN'))).toBe(true);
    expect(tryNextHost(smtpError('451 4.3.0 later', 'RCPT TO', { rejectedErrors: [smtpError('451 later')] }))).toBe(false);
    expect(tryNextHost(smtpError('550 5.7.1 go away', 'MAIL FROM'))).toBe(false);
    expect(tryNextHost(smtpError('451 4.3.0 later', 'DATA'))).toBe(false);
  });
});
