import { checkImportedHash } from './hash-schemes.js';

// Real hashes of "secret", made with `doveadm pw -s SCHEME -p secret` (Dovecot 2.3).
const VALID: Record<string, string> = {
  'BLF-CRYPT': '{BLF-CRYPT}$2y$05$vmtv1OIfhBFWGl.3vB1.4ekXwN4ESp3/K7/wGzaMRzrPSxCcslNVy',
  'SHA512-CRYPT': '{SHA512-CRYPT}$6$AiW/ijerUt.1Bys2$l0C9tlVqoW28Zqan6oHlsjJFg1ZV9ycjjsMbgimkovcadpzcO..XOP8/pknhN3WmLo49cBOsVG2Fs4Nb3V5F80',
  'SHA256-CRYPT': '{SHA256-CRYPT}$5$Ix9evMcgYTkg9m8M$lVAglDhJsG5Mf8SM/lilncZEMuc3eqQ5v9PCvjScJ/9',
  ARGON2I: '{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$qEmaWsBYrI1tY0hDbtM6Hw$1c77SMvhWWBQcl58O8N7vMiaFrCI7mL0VW/qvjBcknM',
  ARGON2ID: '{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$urfUK8Q1AoKN7C5aPzc36w$f3gfrsdfsHq5Co6UC26k86Et+U0E0lbYCtDDVpf44Dc',
};

describe('checkImportedHash', () => {
  it.each(Object.entries(VALID))('accepts a well-formed %s hash', (scheme, hash) => {
    expect(checkImportedHash(hash)).toEqual({ scheme });
  });

  it.each([
    ['no scheme prefix', '$2y$05$kQ7Mn2/9Tt3wOv0aW5bXVeG2gQ1qk0ZbZ2m7q1xK0Y3d5Z1w9m2bC', 'unknown_hash_scheme'],
    ['an unknown scheme', '{MD5}1a1dc91c907325c69271ddf0c944bc72', 'unknown_hash_scheme'],
    ['a plaintext scheme', '{PLAIN}secret', 'unknown_hash_scheme'],
    ['a truncated bcrypt hash', VALID['BLF-CRYPT'].slice(0, -1), 'malformed_hash'],
    ['a bcrypt cost out of range', VALID['BLF-CRYPT'].replace('$05$', '$99$'), 'malformed_hash'],
    ['a SHA512-CRYPT hash of the wrong length', VALID['SHA512-CRYPT'] + 'a', 'malformed_hash'],
    ['an argon2 hash with the wrong variant', VALID.ARGON2I.replace('{ARGON2I}', '{ARGON2ID}'), 'malformed_hash'],
    ['a hash with a newline', VALID['BLF-CRYPT'] + '\n', 'malformed_hash'],
  ])('refuses %s', (_, hash, code) => {
    expect(checkImportedHash(hash)).toMatchObject({ code });
  });
});

describe('checkImportedHash cost ceilings', () => {
  // Only the syntax is checked at import (Dovecot verifies), so a real hash with its parameters
  // rewritten stands for a hash made at those parameters without paying 256 MiB to make one.
  const argon2 = (m: number, t: number, p: number) => VALID.ARGON2ID.replace('m=65536,t=3,p=1', `m=${m},t=${t},p=${p}`);
  const bcrypt = (cost: number) => VALID['BLF-CRYPT'].replace('$05$', `$${cost}$`);
  const shaCrypt = (rounds: number) => VALID['SHA512-CRYPT'].replace('$6$', `$6$rounds=${rounds}$`);

  it.each([
    ['argon2 at every ceiling', argon2(262144, 10, 4)],
    ['bcrypt cost 14', bcrypt(14)],
    ['SHA-crypt at 1,000,000 rounds', shaCrypt(1_000_000)],
  ])('accepts %s', (_, hash) => {
    expect(checkImportedHash(hash)).toHaveProperty('scheme');
  });

  it.each([
    ['argon2 m one KiB over', argon2(262145, 10, 4)],
    ['argon2 t one over', argon2(262144, 11, 4)],
    ['argon2 p one over', argon2(262144, 10, 5)],
    ['bcrypt cost 15', bcrypt(15)],
    ['bcrypt cost 31', bcrypt(31)],
    ['SHA512-CRYPT one round over', shaCrypt(1_000_001)],
    ['SHA256-CRYPT at 999,999,999 rounds', VALID['SHA256-CRYPT'].replace('$5$', '$5$rounds=999999999$')],
  ])('refuses %s', (_, hash) => {
    expect(checkImportedHash(hash)).toMatchObject({ code: 'hash_cost_too_high' });
  });
});
