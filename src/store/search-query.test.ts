import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sqliteBinding } from './db.ts';
import { ftsQuery, searchPhrases, searchWords } from './search-query.ts';
import type { Store } from './index.ts';
import { seedStories } from '../../test/helpers/stories.ts';
import { BACKENDS, tempDatabase, type TempDatabase } from '../../test/helpers/stores.ts';
import { seededRandom } from '../../test/helpers/random.ts';

// The same table as the store's story_search (see migrations.ts), with a few rows to match.
const db = new (sqliteBinding())(':memory:');
db.exec(`CREATE VIRTUAL TABLE story_search USING fts5(title, draft, text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2')`);
const insert = db.prepare('INSERT INTO story_search (rowid, title, draft, text) VALUES (?, ?, ?, ?)');
insert.run(1, 'AI spots eye disease', 'Clinics in rural India', 'NEAR the border, "quoted" text');
insert.run(2, 'Protein folding', 'AND OR NOT are words here', 'résumé café');
const match = db.prepare('SELECT rowid FROM story_search WHERE story_search MATCH ? ORDER BY rowid');
const search = (q: string): number[] => {
  const expr = ftsQuery(q);
  return expr === null ? [] : match.all(expr).map((r) => (r as { rowid: number }).rowid);
};
afterAll(() => db.close());

const PIECES = ['"', "'", '*', '-', '+', '^', ':', '(', ')', '{', '}', ',', '.', ' ', '\t', '\n', '\0', '\x01', '\x1b', '\x7f', '\u0085', '\u200b', '\ufeff', '\ud800', '\udfff', '😀', 'é', 'NEAR', 'NEAR/2', 'AND', 'OR', 'NOT', 'title', 'title:', 'eye', 'x', '\\', '%', '_', '\u2028'];

describe('ftsQuery', () => {
  it('is null for nothing to search', () => {
    expect(ftsQuery('')).toBeNull();
    expect(ftsQuery('  \t ')).toBeNull();
    expect(ftsQuery('\0\x01\x1f')).toBeNull();
  });

  it('control characters separate words, or are nothing, never an error', () => {
    expect(() => search('\0')).not.toThrow();
    expect(search('eye\0disease')).toEqual([1]);
    expect(search('\x1beye')).toEqual([1]);
  });

  it('FTS5 syntax is searched as words', () => {
    expect(search('NEAR')).toEqual([1]);
    expect(search('AND OR NOT')).toEqual([2]);
    expect(search('title:eye')).toEqual([]);
    expect(search('eye:disease')).toEqual([1]);
    expect(search('"quoted"')).toEqual([1]);
    expect(search('-eye')).toEqual([1]);
    expect(search('eye*')).toEqual([1]);
    expect(search('(eye)')).toEqual([1]);
    expect(search('cafe')).toEqual([2]);
    expect(search('"')).toEqual([]);
    expect(search('* - ( ) ^ :')).toEqual([]);
  });

  it('bounds the expression: at most 20 words of at most 100 characters', () => {
    const expr = ftsQuery(`${'a'.repeat(500)} ${'w '.repeat(50)}`)!;
    const words = expr.split(' ');
    expect(words).toHaveLength(20);
    expect(words[0]).toBe(`"${'a'.repeat(100)}"`);
  });

  it('fuzz: 5000 random strings of FTS5 syntax, control characters and odd Unicode never make SQLite fail', () => {
    const random = seededRandom(20261207);
    for (let n = 0; n < 5000; n++) {
      const len = Math.floor(random() * 12);
      let q = '';
      for (let i = 0; i < len; i++) {
        q += random() < 0.7 ? PIECES[Math.floor(random() * PIECES.length)] : String.fromCharCode(Math.floor(random() * 0x10000));
      }
      let failure: unknown = null;
      try {
        search(q);
      } catch (err) {
        failure = err;
      }
      expect(failure, `query ${JSON.stringify(q)} -> ${JSON.stringify(ftsQuery(q))}`).toBeNull();
    }
  });
});

describe('searchWords and searchPhrases: the words both backends search for', () => {
  it('words are split at white space and invisible characters, bounded as the FTS5 expression is', () => {
    expect(searchWords(' GPT-4o\tdon\'t\u200bcafé ')).toEqual(['GPT-4o', "don't", 'café']);
    expect(searchWords('')).toEqual([]);
    expect(searchWords(`${'a'.repeat(500)} ${'w '.repeat(50)}`)).toHaveLength(20);
  });

  it("each word is the phrase of its tokens, as FTS5's unicode61 tokenizer reads a quoted string", () => {
    expect(searchPhrases('GPT-4o')).toEqual(['GPT 4o']);
    expect(searchPhrases("don't")).toEqual(['don t']);
    expect(searchPhrases('"quoted" (eye) title:eye')).toEqual(['quoted', 'eye', 'title eye']);
    expect(searchPhrases('Zürich café e\u0301x 東京タワー')).toEqual(['Zürich', 'café', 'e\u0301x', '東京タワー']);
    expect(searchPhrases("'eye':* & !disease <->")).toEqual(['eye', 'disease']);
  });

  it('no words: no search (null); words without letters or digits: a search that finds nothing (empty)', () => {
    expect(searchPhrases('  ')).toBeNull();
    expect(searchPhrases('" * - :')).toEqual([]);
    expect(ftsQuery('" * - :')).not.toBeNull();
  });
});

/**
 * The same random searches on both backends, over the same stories, must find the same stories.
 * The pieces are words of the texts, their hyphenated and apostrophed forms, and search syntax of
 * both engines (FTS5's and tsquery's). Left out: letters that unaccent folds and FTS5 does not
 * (ß, æ), and a phrase running into a hyphenated compound ("with-gpt"), where PostgreSQL's index
 * puts the compound itself between the words.
 */
describe.runIf(BACKENDS.includes('postgres'))('search: SQLite and PostgreSQL find the same stories', () => {
  const dbs: TempDatabase[] = [];
  const stores: Store[] = [];
  beforeEach(async () => {
    for (const backend of ['sqlite', 'postgres'] as const) {
      const t = await tempDatabase(backend);
      dbs.push(t);
      const store = await t.open();
      stores.push(store);
      await seedStories(store, [
        { title: 'GPT-4o reads retinal scans', text: 'An ophthalmologist in Zürich said "don\'t" trust it yet.' },
        { title: 'Battery news', text: 'Built with GPT 4o at a café.' },
        { title: 'Reversed', text: 'First 4o, then GPT. NEAR AND OR NOT.' },
      ]);
    }
  });
  afterEach(async () => {
    for (const t of dbs.splice(0)) await t.remove();
    stores.splice(0);
  });

  const PARTS = ['GPT-4o', 'gpt', '4o', 'Zürich', 'ZURICH', "don't", 'don', 't', 'café', 'cafe', 'ophthalmologist', 'battery', 'eye', 'retinal', 'near', 'NEAR', 'AND', 'NOT', '"', "'", '*', '-', '(', ')', ':', '&', '|', '!', '<->', ':*', '^', '\\', '\0'];

  it('fuzz: 300 random searches give the same stories on both', async () => {
    const random = seededRandom(20261208);
    const pick = () => PARTS[Math.floor(random() * PARTS.length)]!;
    const found = async (store: Store, q: string) => (await store.editorial.queue({ q, now: new Date('2026-12-01T00:00:00Z') })).entries.map((e) => e.title).sort();
    let foundSome = 0;
    for (let n = 0; n < 300; n++) {
      let q = '';
      const len = 1 + Math.floor(random() * 4);
      for (let i = 0; i < len; i++) q += (i > 0 && random() < 0.6 ? ' ' : '') + pick();
      const [onSqlite, onPostgres] = [await found(stores[0]!, q), await found(stores[1]!, q)];
      expect(onPostgres, `search ${JSON.stringify(q)}`).toEqual(onSqlite);
      if (onSqlite.length > 0) foundSome++;
    }
    // Not a comparison of empty results only.
    expect(foundSome).toBeGreaterThan(50);
  });
});
