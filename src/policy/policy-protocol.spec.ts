import { MAX_REQUEST_BYTES, PolicyProtocolError, countAttribute, parseRequest, renderAnswer, takeRequests } from './policy-protocol.js';
import { limitReached, notOwner } from './policy-answers.js';

const RCPT = 'request=smtpd_access_policy\nprotocol_state=RCPT\nsasl_username=ann@a.test\nsender=ann@a.test\nrecipient_count=0\n';

describe('Postfix policy protocol', () => {
  it('takes every complete request and keeps the unfinished rest', () => {
    const { requests, rest } = takeRequests(`${RCPT}\n${RCPT.replace('=0', '=1')}\nrequest=smtpd_access`);
    expect(requests).toHaveLength(2);
    expect({ ...requests[1] }).toEqual({
      request: 'smtpd_access_policy', protocol_state: 'RCPT', sasl_username: 'ann@a.test', sender: 'ann@a.test', recipient_count: '1',
    });
    expect(rest).toBe('request=smtpd_access');
    expect(takeRequests(`${rest}_policy\n\n`).requests).toEqual([expect.objectContaining({ request: 'smtpd_access_policy' })]);
  });

  it('accepts CRLF line ends and values containing "=" or nothing', () => {
    const [request] = takeRequests('a=b=c\r\nempty=\r\n\r\n').requests;
    expect({ ...request }).toEqual({ a: 'b=c', empty: '' });
  });

  it('keeps attribute names off the prototype', () => {
    const request = parseRequest('__proto__=x\nconstructor=y');
    expect(Object.getPrototypeOf(request)).toBeNull();
    expect(request.__proto__).toBe('x');
  });

  it('treats a line without name=value, or an endless request, as a broken connection', () => {
    expect(() => takeRequests('garbage\n\n')).toThrow(PolicyProtocolError);
    expect(() => takeRequests('=value\n\n')).toThrow(PolicyProtocolError);
    expect(() => takeRequests(`a=${'x'.repeat(MAX_REQUEST_BYTES)}`)).toThrow(PolicyProtocolError);
  });

  it('answers with one action line and an empty line, CR/LF in the text flattened', () => {
    expect(renderAnswer('DUNNO')).toBe('action=DUNNO\n\n');
    expect(renderAnswer(notOwner('x@b.test\r\nevil', 'ann@a.test'))).toBe('action=553 5.7.1 Sender address <x@b.test evil> is not owned by user ann@a.test\n\n');
  });

  it('reads counts defensively', () => {
    expect(countAttribute({ recipient_count: '3' }, 'recipient_count')).toBe(3);
    expect(countAttribute({ recipient_count: '-1' }, 'recipient_count')).toBe(0);
    expect(countAttribute({}, 'size')).toBe(0);
  });

  it('names the limit that refused in words a user understands', () => {
    expect(limitReached({ key: 'mailbox:1:messages:h', limit: 5, increment: 1, windowMs: 3_600_000 })).toBe('450 4.7.1 Hourly sending limit reached, try again later');
    expect(limitReached({ key: 'domain:1:recipients:d', limit: 5, increment: 1, windowMs: 86_400_000 })).toBe('450 4.7.1 Daily recipient limit reached, try again tomorrow');
  });
});
