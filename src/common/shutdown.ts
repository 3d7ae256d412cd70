import type { INestApplicationContext, LoggerService } from '@nestjs/common';

/**
 * Graceful stop on SIGTERM/SIGINT: Nest closes the HTTP server (in-flight requests finish) or the
 * BullMQ workers (each waits for the job in hand), then the process exits 0.
 */
export function stopGracefullyOnSignals(app: INestApplicationContext, logger: LoggerService): void {
  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal} received, stopping`, 'Shutdown');
    await app.close();
    process.exit(0);
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
