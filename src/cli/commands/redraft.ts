import { resolve } from 'node:path';
import { Option, type Command } from '../commander.ts';
import { sentRefusal } from '../../store/index.ts';
import type { RedraftSummary } from '../../pipeline/redraft.ts';
import { each, positiveInt } from '../args.ts';
import type { CliContext } from '../context.ts';
import { onStopSignal } from '../signals.ts';
import type { Logger } from '../log.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';
import { jsonOutput } from '../output.ts';

/** What a redraft did, each line saying what happened: redrafted, failed and why, or left and why. */
function reportRedraft(log: Logger, result: RedraftSummary): void {
  log.info(`redrafted ${result.redrafted} with ${result.engine}; ${result.failed.length} failed`, {
    event: 'redraft',
    engine: result.engine,
    redrafted: result.redrafted,
    failed: result.failed.length,
  });
  for (const f of result.failed) log.warn(`story ${f.id}: ${f.kind}: ${f.message}`, { event: 'redraft', item_id: f.id, kind: f.kind });
  if (result.stop) log.error(`stopped: ${result.stop.kind}: ${result.stop.message}`, { event: 'redraft', kind: result.stop.kind });
  if (result.notReached.length) {
    log.warn(`not redrafted, the redraft stopped first: ${result.notReached.join(', ')}`, { event: 'redraft', not_reached: result.notReached });
  }
  if (result.skipped.length) {
    log.info(`not redrafted, an editor decided on them (redraft them by --id): ${result.skipped.join(', ')}`, { event: 'redraft', skipped: result.skipped });
  }
  if (result.unknown.length) {
    log.warn(`not redrafted, not a story to redraft (a copy of another story, or none): ${result.unknown.join(', ')}`, { event: 'redraft', unknown: result.unknown });
  }
}

export function registerRedraftCommand(program: Command, ctx: CliContext): void {
  program
    .command('redraft')
    .description('draft stored articles again: by default the extractive drafts, with the LLM')
    .addOption(new Option('--engine <engine>', 'engine to draft with').choices(['llm', 'extractive']).default('llm'))
    .option('--id <ids...>', 'only these story ids (any engine)', each(positiveInt('--id', 'expected story numbers')))
    .option('--prompt <path>', 'draft with this prompt file instead of llm.prompt (to compare prompt versions)')
    .option('--json', 'print a JSON summary')
    .action(async (opts: { engine: 'llm' | 'extractive'; id?: number[]; prompt?: string; json?: boolean }) => {
      const ids = opts.id;
      const loaded = await ctx.config();
      const config = opts.prompt ? { ...loaded, promptPath: resolve(opts.prompt) } : loaded;
      await ctx.withStore('write', async (db) => {
        // A story sent in an issue is final: asked for by id, it is refused with the issue and date.
        for (const id of ids ?? []) {
          const sent = (await db.stories.get(id))?.sent;
          if (sent) throw new UsageError(`story ${id}: ${sentRefusal(sent)}`, EXIT_INVALID);
        }
        // Named ids that are no story: a usage error before anything is drafted.
        const missing: number[] = [];
        for (const id of ids ?? []) if (!(await db.stories.get(id))) missing.push(id);
        if (missing.length) throw new UsageError(`no story ${missing.join(', ')} in ${ctx.dbShown()} (see \`aiwins stories --all\`); nothing was redrafted`, EXIT_INVALID);
        const abort = new AbortController();
        onStopSignal(() => abort.abort());
        const { redraftStories } = await import('../../pipeline/redraft.ts');
        const { faultLeaseMs } = await import('../../pipeline/lease.ts');
        // Test-only: the lease tests shorten the lease through the environment.
        const result = await redraftStories(config, db, { engine: opts.engine, ids, signal: abort.signal, leaseMs: faultLeaseMs(process.env.AIWINS_FAULT_LEASE_MS) });
        if (result.status === 'already_running') ctx.log().info('a run is in progress; try again when it ends', { event: 'redraft', status: result.status });
        else reportRedraft(ctx.log(), result);
        if (opts.json) process.stdout.write(jsonOutput(result));
        // A story that could not be redrafted needs a person (the message says why); a SIGTERM does not.
        if (result.status === 'failed' || result.failed.length > 0) process.exitCode = EXIT_FAILED;
      });
    });
}
