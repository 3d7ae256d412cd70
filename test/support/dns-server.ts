import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort, waitFor } from './processes.js';

const run = promisify(execFile);
const STARTUP_TIMEOUT_MS = 10_000;
const START_ATTEMPTS = 3;
/** Every test domain ends in `.test` (RFC 2606), so one zone serves them all. */
const ZONE = 'test';
// A TXT character-string holds at most 255 bytes (RFC 1035 §3.3); longer texts are split.
const MAX_CHARACTER_STRING_BYTES = 255;

/**
 * One record. `name` is absolute, without the trailing dot; `value` is in zone-file syntax (host
 * names in it need their trailing dot, e.g. `10 mx.example.test.`), except TXT values, which
 * are the raw text: the harness quotes and splits them.
 */
export interface DnsTestRecord {
  name: string;
  type: string;
  value: string;
  ttl?: number;
}

/**
 * A real Knot DNS, authoritative for `test.` on a free loopback port (UDP and TCP), run as
 * root from a config of its own in a temporary directory. Records live in the zone file: each
 * change rewrites it with a higher SOA serial and reloads the zone, and `knotc -b` returns only
 * once the new zone is served. TTLs default to 0 and the SOA minimum (negative-caching TTL,
 * RFC 2308) is 0, so no resolver in between keeps an old answer.
 */
export class TestDnsServer {
  private records: DnsTestRecord[] = [];
  private serial = 1;

  private constructor(
    private readonly dir: string,
    private readonly port: number,
    private readonly knotd: ChildProcess,
    private readonly exited: Promise<unknown>,
  ) {}

  /** '127.0.0.1:PORT', the form DNS_SERVERS takes. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static async start(): Promise<TestDnsServer> {
    // freePort() proves the TCP port free only; another process may take it (or its UDP twin)
    // before knotd binds, so a failed start is retried on another port.
    for (let attempt = 1; ; attempt++) {
      try {
        return await TestDnsServer.startOnce();
      } catch (error) {
        if (attempt >= START_ATTEMPTS) throw error;
      }
    }
  }

  private static async startOnce(): Promise<TestDnsServer> {
    const dir = await mkdtemp(join(tmpdir(), 'pm-knot-'));
    const port = await freePort();
    await writeFile(join(dir, 'knot.conf'), [
      'server:',
      `  rundir: "${dir}"`,
      `  listen: 127.0.0.1@${port}`,
      '  user: root:root',
      'log:',
      `  - target: "${join(dir, 'knot.log')}"`,
      '    any: info',
      'database:',
      `  storage: "${dir}"`,
      'control:',
      `  listen: "${join(dir, 'knot.sock')}"`,
      'template:',
      '  - id: default',
      `    storage: "${dir}"`,
      '    zonefile-sync: -1',
      '    zonefile-load: whole',
      '    journal-content: none',
      'zone:',
      `  - domain: ${ZONE}`,
      `    file: "${join(dir, `${ZONE}.zone`)}"`,
      '',
    ].join('\n'));
    await writeFile(join(dir, `${ZONE}.zone`), zoneFile(1, []));

    const knotd = spawn('knotd', ['-c', join(dir, 'knot.conf')], { stdio: 'ignore' });
    const exited = new Promise((resolve) => knotd.once('exit', resolve));
    const started = new TestDnsServer(dir, port, knotd, exited);
    try {
      await Promise.race([
        waitFor(() => started.servesSerial(1), STARTUP_TIMEOUT_MS),
        exited.then(() => Promise.reject(new Error('exited'))),
      ]);
    } catch (error) {
      const log = await readFile(join(dir, 'knot.log'), 'utf8').catch(() => '(no log)');
      await started.stop();
      throw new Error(`Knot DNS did not start (${(error as Error).message}):\n${log}`);
    }
    return started;
  }

  async publish(...records: DnsTestRecord[]): Promise<void> {
    this.records.push(...records);
    await this.reload();
  }

  /** Removes every record at `name` (of `type` only, when given). */
  async unpublish(name: string, type?: string): Promise<void> {
    const matches = (r: DnsTestRecord) => r.name.toLowerCase() === name.toLowerCase() && (!type || r.type.toUpperCase() === type.toUpperCase());
    this.records = this.records.filter((r) => !matches(r));
    await this.reload();
  }

  async stop(): Promise<void> {
    if (this.knotd && this.knotd.exitCode === null && this.knotd.signalCode === null) {
      await this.knotc('stop').catch(() => this.knotd.kill('SIGTERM'));
      await this.exited;
    }
    await rm(this.dir, { recursive: true, force: true });
  }

  private async reload(): Promise<void> {
    this.serial++;
    await writeFile(join(this.dir, `${ZONE}.zone`), zoneFile(this.serial, this.records));
    await this.knotc('-b', 'zone-reload', `${ZONE}.`);
  }


  private async knotc(...args: string[]): Promise<void> {
    await run('knotc', ['-s', join(this.dir, 'knot.sock'), ...args]);
  }

  private async servesSerial(serial: number): Promise<boolean> {
    const resolver = new Resolver({ timeout: 500, tries: 1 });
    resolver.setServers([this.address]);
    return (await resolver.resolveSoa(`${ZONE}.`)).serial === serial;
  }
}

function zoneFile(serial: number, records: DnsTestRecord[]): string {
  return [
    `$ORIGIN ${ZONE}.`,
    '$TTL 0',
    `@ 0 IN SOA ns.${ZONE}. hostmaster.${ZONE}. ${serial} 3600 600 86400 0`,
    `@ 0 IN NS ns.${ZONE}.`,
    'ns 0 IN A 127.0.0.1',
    ...records.map((r) => {
      const type = r.type.toUpperCase();
      return `${r.name}. ${r.ttl ?? 0} IN ${type} ${type === 'TXT' ? quoteTxt(r.value) : r.value}`;
    }),
    '',
  ].join('\n');
}

/** Zone-file TXT data: 255-byte character-strings, each quoted; `"`, `\` and non-ASCII bytes escaped as \DDD. */
function quoteTxt(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  const strings: string[] = [];
  for (let at = 0; at < bytes.length || strings.length === 0; at += MAX_CHARACTER_STRING_BYTES) {
    const chunk = [...bytes.subarray(at, at + MAX_CHARACTER_STRING_BYTES)];
    strings.push(`"${chunk.map((b) => (b < 0x20 || b > 0x7e || b === 0x22 || b === 0x5c ? `\\${String(b).padStart(3, '0')}` : String.fromCharCode(b))).join('')}"`);
  }
  return strings.join(' ');
}
