import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from '../commander.ts';
import type { Config } from '../../config/index.ts';
import type { TrialBench } from '../../workbench/bench.ts';
import { stripControlChars } from '../../core/terminal.ts';
import { calendarDate, fraction, positiveInt, storyIdList } from '../args.ts';
import type { CliContext } from '../context.ts';
import { onStopSignal } from '../signals.ts';
import { EXIT_FAILED, EXIT_INVALID, UsageError } from '../errors.ts';
import { jsonOutput } from '../output.ts';

/**
 * Runs `fn` with where a workbench command reads and writes: the database (closed after), or with
 * --set a golden set on disk (no database is opened; trials go to the set's trials/ or --out DIR).
 */
async function withBench<T>(
  ctx: CliContext,
  config: Config,
  opts: { set?: string; out?: string },
  access: 'write' | 'read',
  fn: (bench: TrialBench) => Promise<T>,
): Promise<T> {
  if (opts.set === undefined) {
    if (opts.out !== undefined) throw new UsageError('--out: only with --set (without a set, trials are kept in the database)', EXIT_INVALID);
    const { storeBench } = await import('../../workbench/bench.ts');
    return ctx.withStore(access, (db) => fn(storeBench(db)));
  }
  const { setBench, setDir } = await import('../../workbench/golden-set.ts');
  return fn(setBench(setDir(config.path, opts.set), opts.out === undefined ? undefined : resolve(opts.out)));
}

export function registerPromptsCommands(program: Command, ctx: CliContext): void {
  const promptsCommand = program.command('prompts').description('the prompt workbench: try a prompt on stored articles, compare trials, score them against editors');

  promptsCommand
    .command('freeze')
    .description('write a golden set (articles, editors\' decisions, approved texts) as files under prompts/evals/NAME/, to run and eval without the database')
    .argument('<name>', 'the set\'s name (a folder under prompts/evals/ beside the config), or a path')
    .option('--stories <ids>', 'these story ids, e.g. 1,2,3 (undecided ones too)', storyIdList('--stories'))
    .option('--decided-since <date>', 'stories editors decided on since this date (ISO 8601); default: every decided story', calendarDate('--decided-since', '2026-05-01'))
    .option('--force', 'replace the stories of an existing set (its trials are kept)')
    .option('--json', 'print the result as JSON')
    .action(async (name: string, opts: { stories?: number[]; decidedSince?: Date; force?: boolean; json?: boolean }) => {
      const { stories, decidedSince } = opts;
      if (stories !== undefined && decidedSince !== undefined) throw new UsageError('prompts freeze: give one of --stories, --decided-since', EXIT_INVALID);
      const config = await ctx.config();
      const { freezeSet, setDir } = await import('../../workbench/golden-set.ts');
      const dir = setDir(config.path, name);
      await ctx.withStore('read', async (db) => {
        // The cap the drafter applies with the live prompt: a set holds no more than a draft reads.
        const { loadPrompt } = await import('../../draft/prompt.ts');
        const prompt = loadPrompt(config.promptPath);
        const cap = (prompt.ok ? prompt.value.maxInputTokens : null) ?? config.llm.maxInputTokens;
        const result = await freezeSet(db, dir, { name, stories, decidedSince, articleTokenCap: cap, force: opts.force, now: new Date() });
        if (result.missing.length) ctx.log().warn(`no stored article for: ${result.missing.join(', ')} (not frozen)`, { event: 'freeze.missing', item_ids: result.missing });
        const line = `froze ${result.stories} stories into ${result.dir} (${(result.bytes / 1024).toFixed(1)} KiB; ${result.truncated} article texts cut to ${cap} tokens)`;
        process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(line) + '\n');
        if (result.stories === 0) process.exitCode = EXIT_FAILED;
      });
    });

  promptsCommand
    .command('run')
    .description('draft stored articles (nothing is fetched) with a prompt file into a named trial, apart from the live drafts')
    .argument('<prompt-file>', 'the prompt file to try')
    .option('--model <model>', 'model to draft with (default llm.model)')
    .option('--sample <n>', 'the newest N stored articles (default 20)', positiveInt('--sample', 'expected a positive number'))
    .option('--stories <ids>', 'these story ids, e.g. 1,2,3', storyIdList('--stories'))
    .option('--since <date>', 'stories published since this date (ISO 8601)', calendarDate('--since', '2026-05-01'))
    .option('--name <name>', 'trial name (default: the prompt id and its content hash)')
    .option('--set <name>', 'draft a golden set\'s stories (prompts freeze) instead of the database\'s')
    .option('--out <dir>', 'with --set: keep the trial results here instead of the set\'s trials/')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { model?: string; sample?: number; stories?: number[]; since?: Date; name?: string; set?: string; out?: string; json?: boolean }) => {
      const { sample, stories, since } = opts;
      if ([sample, stories, since].filter((x) => x !== undefined).length > 1) {
        throw new UsageError('prompts run: give one of --sample, --stories, --since', EXIT_INVALID);
      }
      const config = await ctx.config();
      await withBench(ctx, config, opts, 'write', async (bench) => {
        const abort = new AbortController();
        onStopSignal(() => abort.abort());
        const { runTrial } = await import('../../workbench/run-trial.ts');
        const { formatTrialProgress } = await import('../prompts.ts');
        const result = await runTrial(config, bench, {
          promptPath: resolve(file),
          model: opts.model,
          name: opts.name,
          sample,
          stories,
          since,
          signal: abort.signal,
          onProgress: (p) => ctx.log().info(formatTrialProgress(p), { event: 'trial.progress', ...p }),
        });
        for (const f of result.failures) ctx.log().warn(`story ${f.itemId}: ${f.kind}: ${f.message}`, { event: 'trial.failed', item_id: f.itemId, kind: f.kind });
        if (result.missing.length) ctx.log().warn(`no stored article for: ${result.missing.join(', ')}`, { event: 'trial.missing', item_ids: result.missing });
        const line = `trial ${result.trial.name} (prompt ${result.trial.prompt.id} ${result.trial.prompt.hash}, model ${result.trial.model}): ${formatTrialProgress(result.progress)}`;
        process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(line) + '\n');
        // Output the model got wrong is a result of the prompt; an endpoint that failed is not.
        const endpointFailed = result.failures.some((f) => !['llm.invalid_output', 'llm.refused', 'llm.truncated'].includes(f.kind));
        if (endpointFailed) process.exitCode = EXIT_FAILED;
      });
    });

  promptsCommand
    .command('compare')
    .description('compare two trials (or "live", the drafts editors see) story by story and in aggregate, with B\'s delta against A')
    .argument('<a>', 'trial name or "live"')
    .argument('<b>', 'trial name or "live"')
    .option('--only-differing', 'list only the stories where the judgement differs')
    .option('--html <file>', 'also write the comparison as one self-contained HTML file')
    .option('--set <name>', 'compare trials run on a golden set (prompts run --set)')
    .option('--out <dir>', 'with --set: the trials are here instead of the set\'s trials/')
    .option('--json', 'print the comparison as JSON')
    .action(async (a: string, b: string, opts: { onlyDiffering?: boolean; html?: string; set?: string; out?: string; json?: boolean }) => {
      const config = await ctx.config();
      await withBench(ctx, config, opts, 'read', async (bench) => {
        const { compareSides, UnknownTrialError } = await import('../../workbench/compare.ts');
        const { formatComparison, formatMetric, METRIC_LABELS } = await import('../prompts.ts');
        let comparison;
        try {
          comparison = await compareSides(bench, a, b, config.llm.pricing);
        } catch (err) {
          if (err instanceof UnknownTrialError) throw new UsageError(err.message, EXIT_INVALID);
          throw err;
        }
        if (opts.onlyDiffering) comparison = { ...comparison, stories: comparison.stories.filter((s) => s.differs) };
        if (opts.html) {
          const { comparisonHtml } = await import('../../workbench/report-html.tsx');
          writeFileSync(opts.html, comparisonHtml(comparison, METRIC_LABELS, formatMetric));
          ctx.log().info(`wrote ${opts.html}`, { event: 'compare.html', file: opts.html });
        }
        // Titles and drafts come from feeds and the model: no control character reaches the terminal.
        process.stdout.write(opts.json ? jsonOutput(comparison) : stripControlChars(formatComparison(comparison, { onlyDiffering: opts.onlyDiffering })) + '\n');
      });
    });

  promptsCommand
    .command('eval')
    .description('score a prompt file (drafting the stories editors decided on) or a trial against the editors\' decisions')
    .argument('<prompt-file-or-trial>', 'a prompt file, a trial name, or "live"')
    .option('--model <model>', 'with a prompt file: model to draft with (default llm.model)')
    .option('--min-grounded <rate>', 'exit 1 when the grounded-quote rate is below this (0..1)', fraction('--min-grounded'))
    .option('--min-f1 <f1>', 'exit 1 when the F1 of the recommendation is below this (0..1)', fraction('--min-f1'))
    .option('--set <name>', 'score against a golden set\'s decisions (prompts freeze) instead of the database\'s')
    .option('--out <dir>', 'with --set: keep the trial results here instead of the set\'s trials/')
    .option('--json', 'print the evaluation as JSON')
    .action(async (target: string, opts: { model?: string; minGrounded?: number; minF1?: number; set?: string; out?: string; json?: boolean }) => {
      const thresholds = { minGrounded: opts.minGrounded, minF1: opts.minF1 };
      const config = await ctx.config();
      await withBench(ctx, config, opts, 'write', async (bench) => {
        const { loadSide, UnknownTrialError } = await import('../../workbench/compare.ts');
        const { evaluate, failedThresholds } = await import('../../workbench/evaluate.ts');
        const { formatEvaluation, formatTrialProgress } = await import('../prompts.ts');
        const labels = await bench.labels();
        let trialName = target;
        if (existsSync(target) && target !== 'live') {
          // A prompt file: draft the stories editors decided on first (cached results cost nothing).
          const { runTrial } = await import('../../workbench/run-trial.ts');
          const run = await runTrial(config, bench, { promptPath: resolve(target), model: opts.model, stories: labels.map((l) => l.storyId) });
          ctx.log().info(`trial ${run.trial.name}: ${formatTrialProgress(run.progress)}`, { event: 'trial', trial: run.trial.name, ...run.progress });
          trialName = run.trial.name;
        }
        let side;
        try {
          side = await loadSide(bench, trialName, config.llm.pricing, trialName === 'live' ? labels.map((l) => l.storyId) : undefined);
        } catch (err) {
          if (err instanceof UnknownTrialError) throw new UsageError(err.message, EXIT_INVALID);
          throw err;
        }
        const ev = evaluate(trialName, side.entries, labels);
        const failed = failedThresholds(ev, thresholds);
        // Kept so `prompts promote` can show how this prompt scored (live drafts have no one prompt).
        if (side.prompt && side.model) {
          await bench.trials.recordEvaluation({ trial: trialName, prompt: side.prompt, model: side.model, where: 'database', at: new Date(), result: { ...ev, thresholds, failed } });
        }
        process.stdout.write(opts.json ? jsonOutput({ ...ev, thresholds, failed }) : stripControlChars(formatEvaluation(ev)) + '\n');
        for (const f of failed) ctx.log().error(`below threshold: ${f}`, { event: 'eval.threshold' });
        if (failed.length) process.exitCode = EXIT_FAILED;
      });
    });

  promptsCommand
    .command('promote')
    .description('make a prompt file the live prompt (llm.prompt in the config, comments kept), after printing its last eval')
    .argument('<prompt-file>', 'the prompt file to draft with from now on')
    .option('--json', 'print the result as JSON')
    .action(async (file: string, opts: { json?: boolean }) => {
      const config = await ctx.config();
      const configPath = config.path;
      if (!configPath) throw new UsageError('prompts promote: no config file to write (--config)', EXIT_INVALID);
      const { loadPrompt } = await import('../../draft/prompt.ts');
      const promptPath = resolve(file);
      const prompt = loadPrompt(promptPath);
      if (!prompt.ok) throw new UsageError(prompt.failure.message, EXIT_INVALID);
      const { lastEvaluationIn, setTrialDirs } = await import('../../workbench/golden-set.ts');
      const { formatLastEvaluation } = await import('../prompts.ts');
      // Its evaluations: in the database (when there is one; none is created) and in every golden set.
      const found = setTrialDirs(configPath).map((dir) => lastEvaluationIn(dir, prompt.value.hash));
      await ctx.withStoreIfAny(async (db) => {
        if (db) found.push(await db.trials.lastEvaluation(prompt.value.hash));
      });
      const last = found.filter((e) => e !== null).sort((a, b) => b.at.getTime() - a.at.getTime())[0] ?? null;

      const { setPromptInConfigText } = await import('../../config/set-prompt.ts');
      const { dirname, relative, isAbsolute } = await import('node:path');
      const fromConfig = relative(dirname(configPath), promptPath);
      const written = fromConfig.startsWith('..') || isAbsolute(fromConfig) ? promptPath : fromConfig;
      const updated = setPromptInConfigText(readFileSync(configPath, 'utf8'), written);
      if (!updated.ok) throw new UsageError(`${configPath}: ${updated.failure.message}`, EXIT_INVALID);
      // Written to a temp file and renamed, so a crash never leaves half a config.
      const tmp = `${configPath}.${process.pid}.tmp`;
      writeFileSync(tmp, updated.value.text);
      renameSync(tmp, configPath);
      const result = { prompt: { id: prompt.value.id, hash: prompt.value.hash, path: written }, previous: updated.value.previous, config: configPath, lastEval: last };
      const text = `${formatLastEvaluation(prompt.value.id, prompt.value.hash, last)}\nllm.prompt is now ${written} in ${configPath} (was ${updated.value.previous ?? 'the bundled prompt'})`;
      process.stdout.write(opts.json ? jsonOutput(result) : stripControlChars(text) + '\n');
    });

  promptsCommand
    .command('export-promptfoo')
    .description('write a promptfoo config and provider for a golden set: each prompt file drafts each story with aiwins\' drafter, asserted against the editors\' decisions')
    .argument('<name>', 'a golden set (prompts freeze), by name or path')
    .option('--prompt <files...>', 'the prompt files to compare (default: the live prompt, llm.prompt)')
    .option('--out <dir>', 'write here instead of the set\'s promptfoo/ folder')
    .action(async (name: string, opts: { prompt?: string[]; out?: string }) => {
      const config = await ctx.config();
      if (!config.path) throw new UsageError('prompts export-promptfoo: the provider needs a config file (--config)', EXIT_INVALID);
      const { setBench, setDir } = await import('../../workbench/golden-set.ts');
      const { promptfooCommand, promptfooExport, promptfooFor } = await import('../../workbench/promptfoo.ts');
      const { loadPrompt } = await import('../../draft/prompt.ts');
      const dir = setDir(config.path, name);
      const bench = setBench(dir);
      const prompts = (opts.prompt ?? [config.promptPath]).map((file) => {
        const loaded = loadPrompt(resolve(file));
        if (!loaded.ok) throw new UsageError(loaded.failure.message, EXIT_INVALID);
        return { path: resolve(file), id: loaded.value.id, hash: loaded.value.hash };
      });
      const stories = (await bench.sources({})).map((s) => ({ id: s.itemId, title: s.title })).sort((a, b) => a.id - b.id);
      const { join } = await import('node:path');
      const outDir = resolve(opts.out ?? join(dir, 'promptfoo'));
      const exported = promptfooExport({
        setName: name,
        setDir: dir,
        outDir,
        stories,
        labels: await bench.labels(),
        prompts,
        // The provider runs this very CLI, wherever promptfoo is started from.
        aiwinsBin: realpathSync(process.argv[1]!),
        configPath: config.path,
      });
      mkdirSync(outDir, { recursive: true });
      for (const [file, text] of Object.entries(exported.files)) writeFileSync(join(outDir, file), text);
      // The promptfoo that runs on this Node: the latest needs Node 22.22.
      const promptfoo = promptfooFor(process.versions.node);
      const command = promptfooCommand(promptfoo.spec, join(outDir, 'promptfooconfig.yaml'));
      process.stdout.write(
        stripControlChars(`wrote a promptfoo config for ${exported.tests} stories and ${prompts.length} prompts to ${outDir}: ${command}${promptfoo.note ? ` (${promptfoo.note})` : ''}`) + '\n',
      );
    });
}
