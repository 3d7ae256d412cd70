// Up to this many statements of one kind run at once; calls arriving meanwhile wait and go
// together in the next one. Two keeps PostgreSQL busy while the next batch fills up.
const MAX_IN_FLIGHT = 2;

interface Waiting<I, O> {
  input: I;
  resolve: (output: O) => void;
  reject: (error: unknown) => void;
}

/**
 * Runs the calls of many concurrent jobs as one SQL statement: a statement's fixed cost (round
 * trip, parse, commit and its WAL flush) dominates a one-row UPDATE, and the webhook worker runs
 * WEBHOOK_CONCURRENCY attempts at once (bench/webhooks-delivery.mjs). `run` gets the inputs of
 * one batch and answers one output per input, in order. A failed statement fails every call of
 * its batch (each job is then retried by BullMQ, as if its own statement had failed).
 */
export class StatementBatcher<I, O> {
  private waiting: Waiting<I, O>[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(
    private readonly run: (inputs: I[]) => Promise<O[]>,
    private readonly maxBatch: number,
  ) {}

  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.waiting.push({ input, resolve, reject });
      // Collect what the other jobs submit in this same turn of the event loop first.
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.pump();
        });
      }
    });
  }

  private pump(): void {
    while (this.waiting.length && this.inFlight < MAX_IN_FLIGHT) {
      const batch = this.waiting.splice(0, this.maxBatch);
      this.inFlight++;
      this.execute(batch).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async execute(batch: Waiting<I, O>[]): Promise<void> {
    try {
      const outputs = await this.run(batch.map((w) => w.input));
      batch.forEach((w, i) => w.resolve(outputs[i]));
    } catch (error) {
      for (const w of batch) w.reject(error);
    }
  }
}
