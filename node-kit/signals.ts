// Graceful shutdown for every long-running process (cloud, hub): the first SIGINT or SIGTERM closes it, then exits.
export function closeOnSignals(running: { close(): Promise<void> }, label: string): void {
  const stop = (signal: string) => {
    console.error(`${label}: ${signal}, shutting down`);
    running.close().then(
      () => process.exit(0),
      (e) => {
        console.error(`${label}: shutdown failed: ${(e as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}
