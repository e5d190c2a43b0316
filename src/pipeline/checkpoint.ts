/**
 * Fault injection for the crash tests: with AIWINS_FAULT_KILL_AT=<name> the process SIGKILLs
 * itself the first time it reaches that checkpoint, as a crash or `kill -9` would.
 */
const target = process.env.AIWINS_FAULT_KILL_AT;

export function checkpoint(name: string): void {
  if (target && target === name) process.kill(process.pid, 'SIGKILL');
}
