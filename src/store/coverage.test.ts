import { afterEach, beforeEach, expect, it } from 'vitest';
import { describeEachBackend, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';
import type { SignedStory, Store } from './index.ts';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-20T12:00:00.000Z');
const at = (days: number) => new Date(T0 + days * DAY);
const item = (key: string) => ({ key, url: `https://f.example/${key}`, canonicalUrl: `https://f.example/${key}`, title: key, published: null, author: null, summary: null, content: 'c' });

/** Three items of one feed, each claimed by run 1 in turn. */
async function items(s: Store): Promise<number[]> {
  await s.feeds.sync([{ name: 'F', url: 'https://f.example/feed' }], at(0));
  const [feed] = await s.feeds.active();
  const fetched = { status: 200, notModified: false, etag: null, lastModified: null, contentHash: null, permanentUrl: null, nextCheckAt: at(1) };
  return (await s.feeds.recordFetch(feed!.id, fetched, [item('a'), item('b'), item('c')], at(0))).newIds;
}

/** Signs or attaches an item under a claim, the judge taking the first story it is shown (and recording what it saw). */
async function sign(s: Store, id: number, now: Date, windowDays: number, seenBy: SignedStory<{ k: string }>[][] = []) {
  expect(await s.items.claim(id, 1, new Date(now.getTime() + 60_000), now)).not.toBeNull();
  return s.coverage.signOrAttach({ itemId: id, runId: 1, signature: { k: 'sig' }, bands: ['t0:same'], since: new Date(now.getTime() - windowDays * DAY), now }, (seen) => {
    seenBy.push(seen);
    return seen[0] ? { storyId: seen[0].id, reason: 'same_text', similarity: 0.9 } : null;
  });
}

describeEachBackend('coverage', (backend) => {
  let t: TempDatabase;
  let s: Store;
  beforeEach(async () => {
    t = await tempDatabase(backend);
    s = await t.open();
  });
  afterEach(() => t.remove());

  it('compares only the stories signed within the window', async () => {
    const [a, b, c] = await items(s);
    expect(await sign(s, a!, at(0), 7)).toEqual({ signed: true });
    const seen: SignedStory<{ k: string }>[][] = [];
    // Eight days later, with a seven-day window, the old story is not shown to the judge.
    expect(await sign(s, b!, at(8), 7, seen)).toEqual({ signed: true });
    expect(seen[0]).toEqual([]);
    // Within the window it is, with its signature as stored.
    expect(await sign(s, c!, at(9), 7, seen)).toEqual({ attached: { storyId: b, reason: 'same_text', similarity: 0.9 } });
    expect(seen[1]).toEqual([{ id: b, signature: { k: 'sig' } }]);
    expect((await s.stories.get(c!))).toMatchObject({ status: 'duplicate', duplicateOf: { id: b, reason: 'same_text', similarity: 0.9 } });
  });

  it('refuses without the claim, and a split is never attached to that story again', async () => {
    const [a, b] = await items(s);
    expect(await s.coverage.signOrAttach({ itemId: a!, runId: 1, signature: {}, bands: [], since: at(-7), now: at(0) }, () => null)).toEqual({ claimLost: true });
    await sign(s, a!, at(0), 7);
    await sign(s, b!, at(0), 7);
    expect((await s.stories.get(a!))!.alsoCoveredBy.map((x) => x.id)).toEqual([b]);

    expect(await s.coverage.split(b!, a!, 'ann', at(0))).toBe(false); // a is not b's copy
    expect(await s.coverage.chooseSource(a!, 999, 'ann', at(0))).toBe(false);
    expect(await s.coverage.split(a!, b!, 'ann', at(0))).toBe(true);
    expect(await s.stories.get(b!)).toMatchObject({ status: 'pending', duplicateOf: null });

    const seen: SignedStory<{ k: string }>[][] = [];
    expect(await sign(s, b!, at(1), 7, seen)).toEqual({ signed: true });
    expect(seen[0]).toEqual([]);
  });

  it("a chosen source lists the story's own item among the other outlets, and choosing the story itself goes back", async () => {
    const [a, b, c] = await items(s);
    await sign(s, a!, at(0), 7);
    await sign(s, b!, at(0), 7);
    await sign(s, c!, at(0), 7);
    expect(await s.coverage.chooseSource(a!, b!, 'ann', at(0))).toBe(true);
    const chosen = (await s.stories.get(a!))!;
    expect(chosen).toMatchObject({ sourceItemId: b, url: 'https://f.example/b' });
    expect(chosen.alsoCoveredBy.map((x) => [x.id, x.reason])).toEqual([
      [a, null],
      [c, 'same_text'],
    ]);

    expect(await s.coverage.chooseSource(a!, a!, 'ann', at(0))).toBe(true);
    const own = (await s.stories.get(a!))!;
    expect(own).toMatchObject({ sourceItemId: null, url: 'https://f.example/a' });
    expect(own.alsoCoveredBy.map((x) => x.id)).toEqual([b, c]);
  });
});
