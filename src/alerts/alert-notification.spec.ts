import { composeAlertNotification } from './alert-notification.js';

const alert = {
  id: '00000000-0000-4000-8000-000000000001', mailboxId: '00000000-0000-4000-8000-000000000002',
  rule: 'sending.volume_spike', severity: 'critical', summary: 'ann@example.test sent 600 messages in the last hour',
  evidence: { lastHour: { messages: 600 } }, actions: [{ type: 'suspend_sending' }], createdAt: new Date('2026-11-26T12:00:00Z'),
};
const base = { alert, mailboxAddress: 'ann@example.test', from: 'postmaster@mail.example.net', to: 'noc@agency.test', hostname: 'mail.example.net', messageId: 'n1' };

function headerOf(raw: Buffer): string {
  const text = raw.toString('utf8');
  return text.slice(0, text.indexOf('\r\n\r\n')).replace(/\r\n[ \t]+/g, ' ');
}

describe('alert notification e-mail', () => {
  it('names the severity, rule, mailbox and summary in the subject, and is marked auto-generated', async () => {
    const mail = await composeAlertNotification(base);
    expect(mail.subject).toBe('[Postmaster critical] sending.volume_spike on ann@example.test: ann@example.test sent 600 messages in the last hour');
    const header = headerOf(mail.raw);
    expect(header).toContain(`Subject: ${mail.subject}`);
    expect(header).toMatch(/^Auto-Submitted: auto-generated$/m);
    expect(header).toMatch(/^From: Postmaster <postmaster@mail\.example\.net>$/m);
    expect(mail.messageIdHeader).toBe('<n1@mail.example.net>');
  });

  it('keeps a summary carrying CR/LF (from an address, an IP, a DNS answer) on the subject line', async () => {
    const mail = await composeAlertNotification({ ...base, mailboxAddress: null, alert: { ...alert, summary: 'a\r\nBcc: victim@example.org' } });
    expect(mail.subject).toBe('[Postmaster critical] sending.volume_spike: a Bcc: victim@example.org');
    expect(headerOf(mail.raw)).not.toMatch(/^Bcc:/m);
  });
});
