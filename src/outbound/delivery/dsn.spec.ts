import { parseReport } from '../../../test/support/delivery-report.js';
import { composeDsn } from './dsn.js';

const original = Buffer.from([
  'From: Ann <ann@sender.test>',
  'To: bob@far.test, carol@far.test',
  'Subject: Quarterly numbers',
  'Message-ID: <orig-1@sender.test>',
  '',
  'Body that must not be in the report.',
].join('\r\n'));

const failedInput = {
  action: 'failed' as const,
  reportingMta: 'mail.example.net',
  queueId: 'msg-1',
  to: 'ann@sender.test',
  originalRaw: original,
  arrivalDate: new Date('2026-01-01T10:00:00Z'),
  recipients: [{
    address: 'bob@far.test', status: '5.1.1', remoteMta: 'mx1.far.test', diagnostic: '550 5.1.1 <bob@far.test>: no such user',
    diagnosticIsSmtp: true, lastAttemptAt: new Date('2026-01-01T10:00:05Z'),
  }],
};

describe('delivery status notifications', () => {
  it('a failure report is a multipart/report with the RFC 3464 fields and the original header', () => {
    const dsn = composeDsn(failedInput, new Date('2026-01-01T10:00:06Z'));
    const report = parseReport(dsn.raw);
    expect(report.headers['content-type']).toMatch(/^multipart\/report; report-type=delivery-status;/);
    expect(report.headers).toMatchObject({ to: '<ann@sender.test>', 'auto-submitted': 'auto-replied', subject: dsn.subject, 'message-id': dsn.messageId });
    expect(report.parts.map((p) => p.headers['content-type'])).toEqual([
      'text/plain; charset=us-ascii', 'message/delivery-status', 'text/rfc822-headers; charset=us-ascii',
    ]);
    expect(report.perMessage).toMatchObject({ 'reporting-mta': 'dns; mail.example.net', 'arrival-date': 'Thu, 01 Jan 2026 10:00:00 +0000' });
    expect(report.recipients).toEqual([{
      'final-recipient': 'rfc822; bob@far.test',
      action: 'failed',
      status: '5.1.1',
      'remote-mta': 'dns; mx1.far.test',
      'diagnostic-code': 'smtp; 550 5.1.1 <bob@far.test>: no such user',
      'last-attempt-date': 'Thu, 01 Jan 2026 10:00:05 +0000',
    }]);
    const headers = report.parts[2].body;
    expect(headers).toContain('Subject: Quarterly numbers\r\nMessage-ID: <orig-1@sender.test>');
    expect(headers).not.toContain('Body that must not');
    expect(report.parts[0].body).toContain('<bob@far.test>: 550 5.1.1');
  });

  it('a delay report says until when it is retried', () => {
    const until = new Date('2026-01-06T10:00:00Z');
    const report = parseReport(composeDsn({ ...failedInput, action: 'delayed', willRetryUntil: until, recipients: [{ ...failedInput.recipients[0], status: '4.4.1', remoteMta: null, diagnostic: 'connect ECONNREFUSED', diagnosticIsSmtp: false }] }).raw);
    expect(report.recipients[0]).toMatchObject({ action: 'delayed', status: '4.4.1', 'diagnostic-code': 'x-postmaster; connect ECONNREFUSED', 'will-retry-until': 'Tue, 06 Jan 2026 10:00:00 +0000' });
    expect(report.recipients[0]['remote-mta']).toBeUndefined();
    expect(report.parts[0].body).toContain('you need not send it again');
  });

  it('keeps the report 7-bit and one line per field, whatever the server answered', () => {
    const dsn = composeDsn({ ...failedInput, recipients: [{ ...failedInput.recipients[0], diagnostic: '550 f\u00fcr dich\r\nnicht' }] });
    expect(dsn.raw.every((byte) => byte < 0x80)).toBe(true);
    expect(parseReport(dsn.raw).recipients[0]['diagnostic-code']).toBe('smtp; 550 f?r dich nicht');
  });
});
