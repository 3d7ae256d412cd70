import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Worker } from 'node:worker_threads';
import { ESTIMATOR_OPTIONS } from './password-strength.js';

type Pending = { resolve: (score: number) => void; reject: (error: Error) => void };

/**
 * zxcvbn scores on a worker thread: the same estimator as password-strength.ts, but its CPU time
 * no longer stalls the requests the API is serving meanwhile (bench/mailbox-create.mjs).
 */
@Injectable()
export class StrengthScorer implements OnModuleDestroy {
  private worker?: Worker;
  private nextId = 0;
  private readonly pending = new Map<number, Pending>();

  score(password: string, userInputs: readonly string[]): Promise<number> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, password, userInputs: [...userInputs] });
    });
  }

  async onModuleDestroy() {
    await this.worker?.terminate();
  }

  private start(): Worker {
    const worker = new Worker(new URL('./strength.worker.cjs', import.meta.url), { workerData: { options: ESTIMATOR_OPTIONS } });
    worker.unref();
    worker.on('message', ({ id, score, error }: { id: number; score?: number; error?: string }) => {
      const pending = this.pending.get(id);
      this.pending.delete(id);
      if (error !== undefined) pending?.reject(new Error(error));
      else pending?.resolve(score!);
    });
    // A dead worker fails what it held; the next call starts a new one.
    worker.on('error', (error) => this.fail(worker, error));
    worker.on('exit', (code) => this.fail(worker, new Error(`strength worker exited with code ${code}`)));
    return worker;
  }

  private fail(worker: Worker, error: Error) {
    if (this.worker !== worker) return;
    this.worker = undefined;
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
