/**
 * Waits for something a test started to happen (a run to finish, a call to arrive, a line on
 * stderr), checking often, so the test moves on as soon as it has and never sleeps a fixed time.
 * The deadline is generous because the machines running the tests are shared; passing it throws,
 * naming what never happened, instead of letting the next assertion fail for an unclear reason.
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  { timeoutMs = 120_000, intervalMs = 20 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
