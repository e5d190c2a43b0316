/**
 * Version-diff benchmark (issue 18, item 5): the worst case the desk can be asked to diff, two
 * versions as long as the edit form admits (about 49,000 characters) whose words all differ.
 *
 *   npm run bench:diff [-- --runs 20] [-- --skip-unbounded]
 *
 * Prints, in one run and side by side, the unbounded word diff the desk used to compute
 * (`diffWords`, once: it takes seconds) and the bounded `versionDiff` (slowest of --runs), then
 * the same through the desk: GET /stories/:id?from=A&to=B and the edit-conflict (409) page on a
 * real SQLite store, with the longest the event loop was held (the longest gap of a 1 ms timer)
 * while each request ran. Also a few words edited in the longest version, which should stay a
 * word diff.
 */
import { diffWords } from 'diff';
import { createDeskApp } from '../src/review/app.tsx';
import { versionDiff, versionText } from '../src/review/version-text.ts';
import { csrfOf, deskDb } from '../test/helpers/desk.ts';
import { editFields, maxEdit } from '../test/helpers/max-edit.ts';
import { seedStories } from '../test/helpers/stories.ts';

const args = process.argv.slice(2);
const runs = Number(args[args.indexOf('--runs') + 1]) || 20;
const skipUnbounded = args.includes('--skip-unbounded');

const ms = (n: number) => `${n.toFixed(1)} ms`;
function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}
/** The median and the slowest of `runs` calls. */
function repeated(fn: () => unknown): { median: number; max: number } {
  const times = Array.from({ length: runs }, () => time(fn).ms).sort((x, y) => x - y);
  return { median: times[Math.floor(runs / 2)]!, max: times[runs - 1]! };
}

const a = maxEdit(1);
const b = maxEdit(2);
const before = versionText(a);
const after = versionText(b);
console.log(`worst case: two versions of ${before.length} and ${after.length} characters, every word different`);

const unbounded = skipUnbounded ? null : time(() => diffWords(before, after));
const bounded = time(() => versionDiff(before, after));
const boundedRuns = repeated(() => versionDiff(before, after));
const small = { ...a, headline: `Brand new ${a.headline}` };
const smallRuns = repeated(() => versionDiff(before, versionText(small)));
const row = (label: string, left: string, right: string) => console.log(`  ${label.padEnd(30)}${left.padEnd(22)}${right}`);
console.log('');
row('', 'unbounded diffWords', 'bounded versionDiff');
row('worst case, first call', unbounded ? ms(unbounded.ms) : 'skipped', ms(bounded.ms));
row(`worst case, median of ${runs}`, '', ms(boundedRuns.median));
row(`worst case, slowest of ${runs}`, '', ms(boundedRuns.max));
row('worst case, changes shown', String(unbounded?.value.length ?? '-'), `${bounded.value.length} (whole changed blocks)`);
row(`a 2-word edit, median of ${runs}`, '', `${ms(smallRuns.median)} (word diff)`);

// Through the desk, on a real store: the history diff and the edit-conflict page.
const env = await deskDb({ ann: 'ann-password-1' });
try {
  const app = createDeskApp({ store: env.store, clientAddress: () => '10.0.0.1' });
  const post = (path: string, fields: Record<string, string>, cookie = '') =>
    app.request(path, { method: 'POST', body: new URLSearchParams(fields), headers: { origin: 'http://localhost', 'content-type': 'application/x-www-form-urlencoded', cookie } });
  const loggedIn = await post('/login', { username: 'ann', password: 'ann-password-1' });
  const cookie = loggedIn.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = csrfOf(await (await app.request('/', { headers: { cookie } })).text());
  const [id] = await seedStories(env.store, [{ title: 'Long versions' }]);
  const [v1] = await env.store.editorial.versions(id!);
  await post(`/stories/${id}/edit`, editFields(a, v1!.id, csrf), cookie);
  const [, v2] = await env.store.editorial.versions(id!);
  await post(`/stories/${id}/edit`, editFields(b, v2!.id, csrf), cookie);
  const [, , v3] = await env.store.editorial.versions(id!);

  const measure = async (label: string, request: () => Response | Promise<Response>) => {
    // The longest gap between ticks of a 1 ms timer: the longest the request held the loop.
    let last = performance.now();
    let held = 0;
    const ticker = setInterval(() => {
      const now = performance.now();
      held = Math.max(held, now - last);
      last = now;
    }, 1);
    const t = performance.now();
    const r = await request();
    await r.text();
    const took = performance.now() - t;
    await new Promise((done) => setTimeout(done, 20));
    clearInterval(ticker);
    console.log(`  ${label.padEnd(44)} HTTP ${r.status}  ${ms(took).padStart(10)}   event loop held at most ${ms(held)}`);
  };
  // A desk that has served pages before: the first request of a process also pays for compiling.
  await (await app.request(`/stories/${id}?from=${v1!.id}&to=${v2!.id}`, { headers: { cookie } })).text();
  console.log('');
  console.log('through the desk (app.request, real SQLite store, after one page to warm up):');
  await measure(`GET /stories/${id}?from=${v2!.id}&to=${v3!.id}`, () => app.request(`/stories/${id}?from=${v2!.id}&to=${v3!.id}`, { headers: { cookie } }));
  await measure('POST edit of an old version (the 409 page)', () => post(`/stories/${id}/edit`, editFields(maxEdit(3), v2!.id, csrf), cookie));
} finally {
  await env.remove();
}
