import { afterAll, describe, expect, it } from 'vitest';
import { sqliteBinding } from './db.ts';
import { ftsQuery } from './search-query.ts';
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
