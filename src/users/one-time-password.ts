import { randomBytes } from 'node:crypto';

// 120 random bits in five groups, easy to read out and type once. It is never a person's chosen
// password: the account must replace it (through the policy) before it can do anything else.
const ONE_TIME_PASSWORD_BYTES = 15;
const GROUP_LENGTH = 4;

export function newOneTimePassword(): string {
  const text = randomBytes(ONE_TIME_PASSWORD_BYTES).toString('base64url');
  return text.match(new RegExp(`.{1,${GROUP_LENGTH}}`, 'g'))!.join('-');
}
