import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Draft } from '../core/types.ts';

/**
 * Drafts that were paid for but could not be stored (the database stayed locked, or failed) are
 * written here, one JSON file each, beside the database; the next run stores them first. A file
 * is written under a temporary name and renamed, so a crash never leaves half a draft.
 */
export interface SpooledDraft {
  itemId: number;
  runId: number;
  draft: Draft;
  /** When the draft was made (ISO 8601). */
  madeAt: string;
}

/** The spool of a SQLite database: a folder beside its file. */
export const sqliteSpoolDir = (dbPath: string): string => `${dbPath}.spool`;

export function spoolDraft(dir: string, entry: SpooledDraft): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `draft-${entry.itemId}-${entry.runId}-${Date.now()}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(entry));
  renameSync(`${file}.tmp`, file);
  return file;
}

/** The spooled drafts, oldest first, each with the file to remove once stored. */
export function readSpool(dir: string): { file: string; entry: SpooledDraft }[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const out: { file: string; entry: SpooledDraft }[] = [];
  for (const n of names) {
    const file = join(dir, n);
    try {
      out.push({ file, entry: JSON.parse(readFileSync(file, 'utf8')) as SpooledDraft });
    } catch {
      // A file we cannot read is left for a person to look at, not deleted.
    }
  }
  return out;
}

export const removeSpooled = (file: string): void => rmSync(file, { force: true });
