import { withoutAddresses } from './address-text.js';

describe('withoutAddresses', () => {
  it.each([
    ['connect ECONNREFUSED 127.0.0.1:2525', 'connect ECONNREFUSED mx.example.com'],
    ['connect ETIMEDOUT 10.0.0.5:25', 'connect ETIMEDOUT mx.example.com'],
    ['connect ECONNREFUSED ::1:25', 'connect ECONNREFUSED mx.example.com'],
    ['connect EHOSTUNREACH [fd00::5]:25', 'connect EHOSTUNREACH mx.example.com'],
    ['read ECONNRESET from 2001:db8::1 and 192.168.1.1', 'read ECONNRESET from mx.example.com and mx.example.com'],
  ])('names the host instead of the address in %j', (text, expected) => {
    expect(withoutAddresses(text, 'mx.example.com')).toBe(expected);
  });

  it.each([
    'Greeting never received',
    'Connection closed at 12:30:45 after 1.5 s',
    'Unexpected socket close on mx1.example.net version 1.2.3',
    '',
  ])('leaves text without an address alone: %j', (text) => {
    expect(withoutAddresses(text, 'mx.example.com')).toBe(text);
  });
});
