import { verifyShaCrypt } from './sha-crypt.js';

// Made with Dovecot 2.3's own `doveadm pw -s SCHEME [-r ROUNDS] -p PASSWORD` (scheme prefix removed).
const LONG = 'Ünïcödé-pässwörd-which-is-longer-than-sixty-four-bytes-for-sure-yes-indeed-1234';
const VECTORS: [string, string, string][] = [
  ['SHA512-CRYPT', 'x', '$6$SmCfSwMVGLcZi8Qe$3JIr3Zp0NbXVJK/c7xVFko48fulOdJEi6woTSmWv.LgbeuXMqgS9xv64MUr11.Vtr9XhXDqL9Ozul58uJiHze1'],
  ['SHA512-CRYPT', 'correct horse battery staple', '$6$brEsnbEunaLaDJvw$G/CXgyxpP5bjSLf0.H3oJ6h66EfhC5FMQheqmisNfIqS2Rghjiy/zmWXiVuFq6KIHKf4X.sdlNhw2j8xb3s900'],
  ['SHA512-CRYPT', LONG, '$6$j.JQVKJDgyI3D4T9$/UllVqY128.VHUXJrzxkk5SKrR2aR.dLvrxvrvNbbWpUh0216EuBKzbjCiFjczeZCLRkQcVIQFN6lO0QWJwEJ0'],
  ['SHA512-CRYPT rounds=7777', 'rounds test', '$6$rounds=7777$5cj8uXKpO2gEPiBC$cVsMxFMwVHmJdi.HTflXkZ82JrdTHqx.r0iqbOCiD9.TWGgO9tRVEY7.XlIIoQZGBlKxFncvxCFa1rqZcFmsr.'],
  ['SHA256-CRYPT', 'x', '$5$EJDnunqgSbH/uyOw$7FavL5W2lRRROjCfNkxUsR4SfoARQMmnTAYrbGo9QI5'],
  ['SHA256-CRYPT', 'correct horse battery staple', '$5$Yq/avlFhpTXVtqgx$3JKk8JbQkX62FYC/0GeSMqHWtwzLq8P.qaaKgX9rcCD'],
  ['SHA256-CRYPT', LONG, '$5$FcG.rMMU6OMsDnxD$kM7sF2pQSek/mi7oXxov7BkD8vArxk81KsHGVzmtPNC'],
  ['SHA256-CRYPT rounds=7777', 'rounds test', '$5$rounds=7777$YVcDxAvNRCTTBqvQ$YZZ79KT7vUX1Pml37XkVCTmSBruX0RxG7q/zTSDNAp3'],
];

describe('verifyShaCrypt', () => {
  it.each(VECTORS)('%s: accepts the password doveadm hashed', async (_, password, hash) => {
    expect(await verifyShaCrypt(hash, password)).toBe(true);
  });

  it.each(VECTORS)('%s: refuses another password', async (_, password, hash) => {
    expect(await verifyShaCrypt(hash, `${password}!`)).toBe(false);
    expect(await verifyShaCrypt(hash, password.slice(0, -1))).toBe(false);
  });

  it('refuses a hash whose salt or digest was altered, and text that is no SHA-crypt hash', async () => {
    const [, password, hash] = VECTORS[0];
    expect(await verifyShaCrypt(hash.replace('$SmCf', '$SmCg'), password)).toBe(false);
    expect(await verifyShaCrypt(hash.slice(0, -1) + '2', password)).toBe(false);
    expect(await verifyShaCrypt(hash.replace('$6$', '$7$'), password)).toBe(false);
    expect(await verifyShaCrypt('', '')).toBe(false);
  });
});
