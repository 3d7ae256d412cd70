import { StatementBatcher } from './statement-batcher.js';

describe('StatementBatcher', () => {
  it('runs the calls of one turn as one batch, answers each its own output, and batches what arrives meanwhile', async () => {
    const batches: number[][] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const batcher = new StatementBatcher(async (inputs: number[]) => {
      batches.push(inputs);
      await gate;
      return inputs.map((n) => n * 10);
    }, 3);
    const first = [1, 2, 3, 4].map((n) => batcher.submit(n));
    await new Promise((resolve) => setImmediate(resolve));
    // At most two batches at once: the fifth call waits for the first batch to end.
    const later = batcher.submit(5);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([[1, 2, 3], [4]]);
    release();
    expect(await Promise.all([...first, later])).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('fails every call of a failed batch, and only those', async () => {
    const batcher = new StatementBatcher(async (inputs: number[]) => {
      if (inputs.includes(0)) throw new Error('statement failed');
      return inputs;
    }, 10);
    const failed = [batcher.submit(0), batcher.submit(1)];
    await expect(failed[0]).rejects.toThrow('statement failed');
    await expect(failed[1]).rejects.toThrow('statement failed');
    await expect(batcher.submit(2)).resolves.toBe(2);
  });
});
