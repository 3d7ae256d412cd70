import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { MailServicesConfig } from '../../src/mail-services/mail-services-config.renderer.js';

const run = promisify(execFile);

/** `postmap -q` against pgsql: map files as generated (Postfix's own lookup code, no daemons). */
export class TestPostmap {
  private constructor(
    readonly dir: string,
    private readonly files: Record<string, string>,
  ) {}

  static async write(config: MailServicesConfig): Promise<TestPostmap> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-postfix-'));
    // postmap reads main.cf from its configuration directory: a minimal one of its own, not /etc/postfix.
    await writeFile(join(dir, 'main.cf'), 'compatibility_level = 3.6\n');
    const files: Record<string, string> = {};
    for (const [name, map] of Object.entries(config.postfix.maps)) {
      files[name] = join(dir, `${name}.cf`);
      await writeFile(files[name], map.content, { mode: 0o600 });
    }
    return new TestPostmap(dir, files);
  }

  /** The map's answer for `key`, or null when Postfix finds nothing. */
  async query(map: string, key: string): Promise<string | null> {
    try {
      const { stdout } = await run('postmap', ['-c', this.dir, '-q', key, `pgsql:${this.files[map]}`]);
      return stdout.trim();
    } catch (error) {
      // "Not found" is exit status 1 and silence; a lookup problem is status 1 with a fatal: line.
      const { code, stderr } = error as { code?: number; stderr?: string };
      if (code === 1 && !stderr) return null;
      throw error;
    }
  }

  async remove(): Promise<void> {
    await rm(this.dir, { recursive: true, force: true });
  }
}
