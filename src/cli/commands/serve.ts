import type { Command } from '../commander.ts';
import type { CliContext } from '../context.ts';
import { onStopSignal } from '../signals.ts';
import { startLoggedScheduler } from './schedule.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';

export function registerServeCommand(program: Command, ctx: CliContext): void {
  program
    .command('serve')
    .description("the editors' desk, a web app: review, edit, approve or reject drafts (with --schedule, also the scheduler)")
    .option('--host <host>', 'address to listen on (keep 127.0.0.1 unless behind a reverse proxy)', '127.0.0.1')
    .option('--port <port>', 'port (0 picks a free one)', '8080')
    .option('--public-origin <url>', 'the https://… origin editors reach the desk at through a reverse proxy')
    .option('--trust-proxy', 'believe X-Forwarded-Proto, -Host and -For (only behind a proxy that sets them)')
    .option('--schedule', 'run the scheduler in the same process (what `npm start` does)')
    .action(async (opts: { host: string; port: string; publicOrigin?: string; trustProxy?: boolean; schedule?: boolean }) => {
      const port = Number(opts.port);
      if (!/^\d+$/.test(opts.port) || port > 65535) throw new UsageError(`--port: expected 0 to 65535, got "${opts.port}"`, EXIT_INVALID);
      if (opts.publicOrigin && !/^https?:\/\/[^/]+\/?$/.test(opts.publicOrigin)) {
        throw new UsageError(`--public-origin: expected an origin like https://desk.example.org, got "${opts.publicOrigin}"`, EXIT_INVALID);
      }
      const config = await ctx.config({ drafts: opts.schedule });
      await ctx.withStore('write', async (db) => {
        const { startDesk } = await import('../../review/server.ts');
        const { redraftStories } = await import('../../pipeline/redraft.ts');
        const desk = await startDesk({
          host: opts.host,
          port,
          store: db,
          categories: config.categories,
          newsletter: config.newsletter,
          pricing: config.llm.pricing,
          model: config.llm.model,
          publicOrigin: opts.publicOrigin,
          trustProxy: opts.trustProxy,
          // Without a model there is nothing to re-draft with: the offline engine would only make the
          // same extractive draft again. The desk then explains instead of offering the button.
          redraft: config.llmConfigured
            ? async (id) => {
                const r = await redraftStories(config, db, { engine: 'llm', ids: [id] });
                if (r.status === 'already_running') return { ok: false, message: 'a run is in progress; try again when it ends' };
                if (r.redrafted > 0) return { ok: true };
                const failed = r.failed[0] ?? r.stop;
                return { ok: false, message: failed ? `${failed.kind}: ${failed.message}` : 'the story was not redrafted' };
              }
            : undefined,
        }).catch(async (err: unknown) => {
          const { DeskListenError } = await import('../../review/server.ts');
          // Could not run: exit 1, with the sentence that says what to change (a taken port, a wrong host).
          if (err instanceof DeskListenError) throw new UsageError(err.message, EXIT_FAILED, { kind: 'desk.listen', code: err.code });
          throw err;
        });
        process.stdout.write(`aiwins desk listening on ${desk.url}\n`);
        let scheduler: Awaited<ReturnType<typeof startLoggedScheduler>> | null = null;
        if (opts.schedule) {
          scheduler = await startLoggedScheduler(ctx, config, db);
          ctx.log().info(`scheduler started: "${config.schedule.cron}", ${config.feeds.length} feeds`, { event: 'scheduler' });
        }
        await new Promise<void>((stop) => onStopSignal(stop));
        ctx.log().info('stopping: closing the desk' + (scheduler ? ', finishing the current items and releasing the lease' : ''), { event: 'desk' });
        await desk.close();
        if (scheduler) {
          void scheduler.stop();
          await scheduler.stopped;
        }
      });
    });
}
