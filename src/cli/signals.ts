/**
 * SIGTERM (cron, systemd, docker stop) and SIGINT (Ctrl-C) both ask a command to stop: a run
 * finishes its current items and releases its lease, the desk and the scheduler close.
 * `handler` is called on the first of each; the returned function stops listening.
 */
export function onStopSignal(handler: () => void): () => void {
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
