/**
 * `npm run bench:pipeline`: end-to-end throughput of `aiwins run` against a loopback world.
 * F feeds x M items of distinct, real-sized article pages (built from extraction-dev) spread over
 * 20 hosts (127.0.0.1..20, one server each, so per-host politeness applies as in real use), and an
 * OpenAI-compatible server answering every call after a fixed latency L. The real CLI runs in a
 * child process on a fresh database, then again; the floor of the first run is N x L / C.
 *
 * Usage: tsx scripts/bench-pipeline.ts [--feeds F] [--items M] [--latency-ms L] [--concurrency C]
 *        [--pages DIR] [--keep] [--db postgres://USER@HOST:PORT/DB]
 * --db adds PostgreSQL beside SQLite: the same two runs on a database made for the bench on that
 * server (through the URL's own database) and dropped at the end, then one table of both.
 * --keep leaves the work folder (config, database, each run's stderr log); BENCH_NODE_FLAGS adds
 * node flags to the CLI (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
 * BENCH_CONFIG_APPEND is appended to the generated feeds.yaml (e.g. an `extract:` section).
 * The first run is sampled with --cpu-prof every 10 ms (overhead well under 1%) to print CPU ms per
 * article by stage, all threads (scripts/cpu-stages.ts); BENCH_NO_STAGES=1 turns that off.
 * The last line of stdout is one line of figures (see `figures` below); with --db, one per backend.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startSiteServer, type SiteServer } from '../test/helpers/site-server.ts';
import { startOpenAiServer, validDraftReply } from '../test/helpers/openai-server.ts';
import { STAGES, stageCpu } from './cpu-stages.ts';
import { benchBackends, redactUrl, withBenchDatabase, type BenchBackend } from './bench-db.ts';

const HOSTS = 20;
const { values: args } = parseArgs({
  options: {
    feeds: { type: 'string', default: '50' },
    items: { type: 'string', default: '20' },
    'latency-ms': { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    pages: { type: 'string', default: '../shared/data/extraction-dev' },
    keep: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const positiveInt = (name: string, v: string | undefined): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || (n === 0 && name !== 'latency-ms')) {
    console.error(`--${name} must be a ${name === 'latency-ms' ? 'non-negative' : 'positive'} integer, got ${v}`);
    process.exit(2);
  }
  return n;
};
const F = positiveInt('feeds', args.feeds);
const M = positiveInt('items', args.items);
const L = positiveInt('latency-ms', args['latency-ms']);
const C = positiveInt('concurrency', args.concurrency);
const N = F * M;
const backends = benchBackends(args.db);

/** The page bodies of the dev set, read once; each article is one of them made distinct. */
function loadPages(dir: string): string[] {
  if (!existsSync(dir)) {
    console.error(`no pages folder at ${dir} (pass --pages DIR, in the extraction-dev layout)`);
    process.exit(2);
  }
  const pages = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, 'page.html')))
    .map((d) => d.name)
    .sort()
    .map((name) => readFileSync(join(dir, name, 'page.html'), 'utf8'));
  if (pages.length === 0) {
    console.error(`no <id>/page.html under ${dir}`);
    process.exit(2);
  }
  return pages;
}

/** Article k: base page k mod 130 with a unique title, heading and paragraph, so no two pages are alike. */
function articlePage(pages: string[], k: number): string {
  const base = pages[k % pages.length]!;
  const marker = `<h2>Bench article ${k}</h2><p>This is benchmark article number ${k}, a distinct copy of a real page, served so that every item of the run has its own text.</p>`;
  const withTitle = base.replace(/<title>/i, `<title>Bench ${k}: `);
  const body = /<body[^>]*>/i.exec(withTitle);
  return body ? withTitle.slice(0, body.index + body[0].length) + marker + withTitle.slice(body.index + body[0].length) : marker + withTitle;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function feedXml(f: number, link: (k: number) => string): string {
  const items: string[] = [];
  for (let i = 0; i < M; i++) {
    const k = f * M + i;
    const date = new Date(Date.UTC(2026, 10, 1) + k * 60_000).toUTCString();
    items.push(`<item><title>${escapeXml(`Bench article ${k}`)}</title><link>${escapeXml(link(k))}</link><guid isPermaLink="false">bench-${k}</guid><pubDate>${date}</pubDate><description>Teaser of benchmark article ${k}.</description></item>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>Bench feed ${f}</title><link>http://127.0.0.1/</link><description>bench</description>${items.join('')}</channel></rss>\n`;
}

interface ChildRun {
  wallMs: number;
  exitCode: number | null;
  peakRssMb: number;
  /** user + system CPU of the whole process (all threads), to its exit. */
  cpuMs: number;
  summary: any;
  stderrTail: string;
}

/** Reads a /proc/<pid>/status field in kB, or 0 once the process is gone. */
function statusKb(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of a process in ms (all its threads), or 0 once it is gone. */
function cpuMsOf(pid: number): number {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/**
 * user + system CPU of this process's children that have exited and been waited for, in ms: a
 * child's whole CPU, up to its exit, which sampling its /proc entry would miss the end of.
 */
function childrenCpuMs(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100; // cutime, cstime; USER_HZ is 100 on Linux
}

/** Runs the real CLI in a child process on --db `dbPath` (a file or a postgres:// URL); peak RSS is the child's high-water mark (threads share it). */
function runCli(configPath: string, dbPath: string, logPath: string, extraFlags: string[] = []): Promise<ChildRun> {
  return new Promise((done, failed) => {
    const started = performance.now();
    const childrenCpuBefore = childrenCpuMs();
    const env = { ...process.env };
    delete env.OPENAI_API_KEY; // the loopback server needs none; never send a real key anywhere
    const log = createWriteStream(logPath);
    const child = spawn(process.execPath, [...(process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) ?? []), ...extraFlags, 'bin/aiwins.js', '--config', configPath, '--db', dbPath, 'run', '--json'], {
      cwd: resolve(import.meta.dirname, '..'),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderrTail = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    // The progress log (one line per feed and item, timestamped) is kept for profiling the stages.
    child.stderr.setEncoding('utf8').on('data', (s: string) => {
      log.write(s);
      stderrTail = (stderrTail + s).slice(-4000);
    });
    let peakKb = 0;
    let cpuMs = 0;
    const sample = () => {
      peakKb = Math.max(peakKb, statusKb(child.pid!, 'VmHWM'), statusKb(child.pid!, 'VmRSS'));
      cpuMs = Math.max(cpuMs, cpuMsOf(child.pid!));
    };
    const poll = setInterval(sample, 100);
    child.on('error', failed);
    child.on('exit', (code) => {
      clearInterval(poll);
      log.end();
      const wallMs = performance.now() - started;
      // Node has waited for the child by its 'exit' event, so its CPU is counted in ours by now.
      cpuMs = Math.max(cpuMs, childrenCpuMs() - childrenCpuBefore);
      const last = stdout.trim().split('\n').pop() ?? '';
      let summary: any = null;
      try {
        summary = JSON.parse(last);
      } catch {
        /* reported below with the stderr tail */
      }
      done({ wallMs, exitCode: code, peakRssMb: peakKb / 1024, cpuMs, summary, stderrTail });
    });
  });
}

/** What one backend's pair of runs measured (the figures of the summary table and the last line). */
interface BackendFigures {
  backend: BenchBackend;
  wallS: number;
  ratio: number;
  peakLlm: number;
  peakRssMb: number;
  cpuMsPerArticle: number;
  rerunS: number;
  rerunCpuMs: number;
  rerunFetches: number;
  rerunLlmCalls: number;
  /** The first run did not end with a summary (exit code and stderr printed above). */
  failed: boolean;
  /** Drafts the first run made: a run that drafted little finished early, and its ratio says nothing. */
  drafted: number;
}

const pages = loadPages(resolve(args.pages!));
const sites: SiteServer[] = [];
const work = mkdtempSync(join(tmpdir(), 'aiwins-bench-'));
const results: BackendFigures[] = [];
try {
  for (let h = 1; h <= HOSTS; h++) sites.push(await startSiteServer({}, `127.0.0.${h}`));
  const articleUrl = (k: number) => `${sites[k % HOSTS]!.origin}/a/${k}.html`;
  for (let k = 0; k < N; k++) {
    sites[k % HOSTS]!.setRoute(`/a/${k}.html`, () => ({ headers: { 'content-type': 'text/html; charset=utf-8' }, body: articlePage(pages, k) }));
  }
  const feedSite = sites[0]!;
  for (let f = 0; f < F; f++) {
    const xml = feedXml(f, articleUrl);
    feedSite.setRoute(`/feeds/${f}.xml`, { headers: { 'content-type': 'application/rss+xml; charset=utf-8' }, body: xml });
  }
  const articleFetches = () => sites.reduce((n, s) => n + [...s.hits].reduce((m, [path, hits]) => m + (path.startsWith('/a/') ? hits : 0), 0), 0);

  console.log(`bench: ${F} feeds x ${M} items = ${N} articles on ${HOSTS} hosts (${pages.length} base pages), LLM latency ${L} ms, llm.concurrency ${C}, backends: ${backends.join(', ')}`);
  console.log(`work dir: ${work}`);

  /** Both runs on one fresh database; each backend has its own LLM server, so its peak concurrency is its own. */
  const benchOn = async (backend: BenchBackend, db: string): Promise<BackendFigures> => {
    const llm = await startOpenAiServer(({ body }) => ({ ...validDraftReply(body), delayMs: L }));
    try {
      const configPath = join(work, `bench-${backend}.yaml`);
      const feedsYaml = Array.from({ length: F }, (_, f) => `  - name: Bench feed ${f}\n    url: ${feedSite.origin}/feeds/${f}.xml`).join('\n');
      writeFileSync(
        configPath,
        `# Written by scripts/bench-pipeline.ts\nfeeds:\n${feedsYaml}\n` +
          `llm:\n  baseURL: ${llm.url}\n  model: bench-model\n  concurrency: ${C}\n  timeoutSeconds: 300\n  prompt: ${resolve(import.meta.dirname, '../prompts/draft-story.md')}\n` +
          `network:\n  allow: [${sites.map((s) => `"${s.hostPort}"`).join(', ')}]\n  concurrency: 32\n  feedTimeoutSeconds: 120\n  pageTimeoutSeconds: 120\n` +
          `run:\n  maxItemsPerFeed: ${Math.max(M, 1)}\n  leaseSeconds: 600\n` +
          // Past 130 articles the pages repeat a base page (one paragraph differs): the copy check
          // would attach them to their stories, and the bench measures a run that drafts every item.
          `dedupe:\n  enabled: false\n` +
          (process.env.BENCH_CONFIG_APPEND ? `${process.env.BENCH_CONFIG_APPEND}\n` : ''),
      );
      const tag = backends.length > 1 ? `${backend} ` : '';
      console.log(`${backend}: --db ${backend === 'postgres' ? redactUrl(db) : db}`);

      const profileDir = join(work, `cpu-profiles-${backend}`);
      const stages = process.env.BENCH_NO_STAGES !== '1';
      const fetchesBefore = articleFetches();
      const first = await runCli(configPath, db, join(work, `run-1-${backend}.stderr.log`), stages ? ['--cpu-prof', '--cpu-prof-interval=10000', `--cpu-prof-dir=${profileDir}`] : []);
      const firstCalls = llm.calls;
      const firstFetches = articleFetches() - fetchesBefore;
      const peakLlm = llm.peakConcurrency;
      const report = (label: string, r: ChildRun) => {
        if (r.exitCode !== 0 || !r.summary) console.log(`${label}: exit ${r.exitCode}; stderr tail:\n${r.stderrTail}`);
        const s = r.summary;
        if (s) {
          console.log(
            `${label}: status ${s.status}, ${s.items.new} new items, ${s.drafts.made} drafted, ${s.drafts.failed} failed, ` +
              `${s.drafts.deferred} deferred, ${s.articles.extracted} extracted (+${s.articles.fromFeed} from feed), run said ${(s.durationMs / 1000).toFixed(1)} s`,
          );
          for (const e of s.errors.slice(0, 5)) console.log(`  ${e.scope} ${e.name}: ${e.kind}: ${e.message}`);
        }
      };
      const ideal = (N * L) / C / 1000;
      const wall = first.wallMs / 1000;
      report(`${tag}first run`, first);
      console.log(`${tag}first run wall time:     ${wall.toFixed(2)} s (CLI process start to exit)`);
      console.log(`${tag}ideal N x L / C:         ${ideal.toFixed(2)} s`);
      console.log(`${tag}ratio:                   ${(wall / ideal).toFixed(3)} (target <= 1.15)`);
      console.log(`${tag}LLM calls:               ${firstCalls} (${N} articles)`);
      console.log(`${tag}peak LLM concurrency:    ${peakLlm} (target ${C})`);
      console.log(`${tag}article fetches:         ${firstFetches}`);
      console.log(`${tag}peak RSS of the CLI:     ${first.peakRssMb.toFixed(1)} MB (target <= 280)`);
      console.log(`${tag}CPU of the CLI:          ${first.cpuMs.toFixed(0)} ms, ${(first.cpuMs / N).toFixed(1)} ms per article (all threads)`);
      if (stages && existsSync(profileDir)) {
        // The profiler samples on a wall clock (a descheduled thread still gets samples), so its shares
        // are applied to the CPU the process really used.
        const cpu = stageCpu(profileDir);
        const sampled = STAGES.reduce((sum, s) => sum + cpu.us[s], 0);
        const msPerArticle = (us: number) => ((first.cpuMs * us) / sampled / N).toFixed(1).padStart(7);
        console.log(`${tag}CPU ms per article by stage (shares of the samples of ${cpu.threads} threads, main + extraction workers):`);
        for (const stage of STAGES) console.log(`  ${stage.padEnd(10)}${msPerArticle(cpu.us[stage])}  ${((100 * cpu.us[stage]) / sampled).toFixed(0).padStart(3)}%`);
        // The main thread must keep pace with the LLM: L / C ms of wall time per article is its share.
        console.log(`${tag}main thread: ${msPerArticle(cpu.mainUs).trim()} ms per article against a share of L/C = ${(L / C).toFixed(1)} ms of wall time`);
      }

      const second = await runCli(configPath, db, join(work, `run-2-${backend}.stderr.log`));
      const rerunCalls = llm.calls - firstCalls;
      const rerunFetches = articleFetches() - fetchesBefore - firstFetches;
      report(`${tag}second run`, second);
      console.log(`${tag}second run wall time:    ${(second.wallMs / 1000).toFixed(2)} s (target < 1), article fetches ${rerunFetches}, LLM calls ${rerunCalls}, peak RSS ${second.peakRssMb.toFixed(1)} MB, CPU ${second.cpuMs.toFixed(0)} ms`);
      return {
        backend,
        wallS: wall,
        ratio: wall / ideal,
        peakLlm,
        peakRssMb: first.peakRssMb,
        cpuMsPerArticle: first.cpuMs / N,
        rerunS: second.wallMs / 1000,
        rerunCpuMs: second.cpuMs,
        rerunFetches,
        rerunLlmCalls: rerunCalls,
        failed: first.exitCode !== 0 || !first.summary,
        drafted: first.summary?.drafts?.made ?? 0,
      };
    } finally {
      await llm.close();
    }
  };

  for (const backend of backends) {
    try {
      results.push(backend === 'sqlite' ? await benchOn(backend, join(work, 'bench.db')) : await withBenchDatabase(args.db!, 'pipeline', (db) => benchOn(backend, db)));
    } catch (err) {
      // A server that refuses the bench database still leaves the other backend's figures.
      console.log(`${backend}: FAILED: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }

  if (backends.length > 1) {
    const verdict = (ok: boolean) => (ok ? 'PASS' : 'FAIL');
    console.log('');
    console.log(`${'backend'.padEnd(10)}${'ratio'.padStart(8)}       ${'peak RSS'.padStart(10)}       ${'no-change rerun'.padStart(16)}       ${'CPU/article'.padStart(11)}  drafted`);
    for (const r of results) {
      console.log(
        `${r.backend.padEnd(10)}${r.ratio.toFixed(3).padStart(8)} ${verdict(r.ratio <= 1.15)}  ${`${r.peakRssMb.toFixed(1)} MB`.padStart(10)} ${verdict(r.peakRssMb < 280)}  ${`${r.rerunS.toFixed(2)} s`.padStart(16)} ${verdict(r.rerunS < 1)}  ${`${r.cpuMsPerArticle.toFixed(1)} ms`.padStart(11)}  ${r.drafted} of ${N}` +
          (r.failed ? '  (first run failed: see above)' : r.drafted < N / 2 ? '  (most items failed: see the errors above; the figures say nothing)' : ''),
      );
    }
    console.log('targets (SQLite): ratio <= 1.15, peak RSS < 280 MB, no-change rerun < 1 s');
  }
  // One line of figures per backend; `backend=` only when there are several, so a SQLite-only run prints what it always did.
  for (const r of results) {
    const figures = [
      `pipeline articles=${N}`,
      ...(backends.length > 1 ? [`backend=${r.backend}`] : []),
      `wall_s=${r.wallS.toFixed(2)}`,
      `ideal_s=${((N * L) / C / 1000).toFixed(2)}`,
      `ratio=${r.ratio.toFixed(3)}`,
      `peak_llm_concurrency=${r.peakLlm}`,
      `peak_rss_mb=${r.peakRssMb.toFixed(1)}`,
      `cpu_ms_per_article=${r.cpuMsPerArticle.toFixed(1)}`,
      `rerun_s=${r.rerunS.toFixed(2)}`,
      `rerun_cpu_ms=${r.rerunCpuMs.toFixed(0)}`,
      `rerun_fetches=${r.rerunFetches}`,
      `rerun_llm_calls=${r.rerunLlmCalls}`,
    ];
    console.log(figures.join(' '));
  }
} finally {
  await Promise.allSettled(sites.map((s) => s.close()));
  if (!args.keep) rmSync(work, { recursive: true, force: true });
}
