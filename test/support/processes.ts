import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';

/** The built entrypoints, as a deployment runs them (`npm test` builds before jest runs). */
export function builtEntrypoint(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run "npm run build" (npm test does) before these tests`);
  return path;
}

export interface Exited {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export class RunningProcess {
  stdout = '';
  stderr = '';
  readonly exited: Promise<Exited>;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (chunk) => (this.stdout += chunk));
    child.stderr!.on('data', (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal, stdout: this.stdout, stderr: this.stderr })),
    );
  }

  static start(script: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
    return new RunningProcess(spawn(process.execPath, [builtEntrypoint(script), ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] }));
  }
}

export function run(script: string, args: string[], env: NodeJS.ProcessEnv): Promise<Exited> {
  return RunningProcess.start(script, args, env).exited;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Polls until `check` holds; a bounded wait for a real state change, never a blind sleep. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
