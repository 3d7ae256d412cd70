import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Test-only: runs libxml2's xmllint (Debian package libxml2-utils) on a document. `--nonet`
// keeps it from fetching the external DTD a plist names.
export function xmllint(xml: string, args: string[] = []): { status: number | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'settings-lookup-'));
  try {
    const file = join(dir, 'document.xml');
    writeFileSync(file, xml);
    const result = spawnSync('xmllint', ['--noout', '--nonet', ...args, file], { encoding: 'utf8' });
    if (result.error) throw result.error;
    return { status: result.status, stderr: result.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const AUTOCONFIG_RNG = fileURLToPath(new URL('./testdata/autoconfig.rng', import.meta.url));
