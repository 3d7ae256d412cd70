import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificate {
  key: string;
  cert: string;
}

/** A throw-away CA made with openssl, and leaf certificates it signs. */
export class TestCa {
  private serial = 1;

  private constructor(readonly dir: string) {}

  /** The CA's certificate (PEM) is in `caFile`, for MAIL_PROBE_CA_FILE. */
  static create(): TestCa {
    const ca = new TestCa(mkdtempSync(join(tmpdir(), 'pm-test-ca-')));
    ca.openssl(['req', '-x509', ...EC_KEY, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=Postmaster Test CA']);
    return ca;
  }

  get caFile(): string {
    return join(this.dir, 'ca.pem');
  }

  /** A certificate for `names` (the first is the CN), valid from now for `days`. */
  issue(names: string[], days: number): TestCertificate {
    const base = `leaf${this.serial++}`;
    writeFileSync(join(this.dir, `${base}.ext`), `subjectAltName=${names.map((name) => `DNS:${name}`).join(',')}\n`);
    this.openssl(['req', ...EC_KEY, '-keyout', `${base}.key`, '-out', `${base}.csr`, '-subj', `/CN=${names[0]}`]);
    this.openssl([
      'x509', '-req', '-in', `${base}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-set_serial', String(this.serial),
      '-days', String(days), '-extfile', `${base}.ext`, '-out', `${base}.pem`,
    ]);
    return { key: readFileSync(join(this.dir, `${base}.key`), 'utf8'), cert: readFileSync(join(this.dir, `${base}.pem`), 'utf8') };
  }

  private openssl(args: string[]): void {
    execFileSync('openssl', args, { cwd: this.dir, stdio: 'pipe' });
  }
}

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
