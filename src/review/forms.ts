import { z } from 'zod';
import { REASON_CODES } from '../store/index.ts';
import { FRAMING_VERDICTS, RECOMMENDATIONS } from '../draft/schema.ts';
import { HttpError } from './errors.ts';

/**
 * Every form the desk accepts, validated here and nowhere else. A failure becomes HTTP 400 with
 * each problem named by its field, as the form calls it.
 */

const text = (max: number) => z.string().trim().min(1, 'required').max(max, `at most ${max} characters`);
const optionalNote = z
  .string()
  .trim()
  .max(2000, 'at most 2000 characters')
  .optional()
  .transform((s) => s || undefined);
const version = z.coerce.number().int().positive();

export const loginForm = z.object({
  username: z.string().trim().min(1, 'required').max(64, 'at most 64 characters'),
  password: z.string().min(1, 'required').max(1024, 'at most 1024 characters'),
});

/** Where to go after a decision: back to the queue, or to the story (default). */
const back = z.enum(['queue', 'story']).default('story');

/** The queue's filter parameters, as its URL has them. */
export const QUEUE_FILTER_KEYS = ['q', 'feed', 'category', 'verdict', 'engine', 'status'] as const;

/** The queue's page cursors (see the queue route): kept with the filters when a form returns to the queue. */
const QUEUE_PAGE_KEYS = ['after', 'before'] as const;

/** The filters of the queue a form was sent from, as a query string of its known keys only (each cut to 200 characters). */
const queueFilters = z
  .string()
  .max(2000, 'at most 2000 characters')
  .optional()
  .transform((s) => {
    const from = new URLSearchParams(s ?? '');
    const kept = new URLSearchParams();
    for (const k of [...QUEUE_FILTER_KEYS, ...QUEUE_PAGE_KEYS]) {
      const v = from.get(k)?.trim().slice(0, 200);
      if (v) kept.set(k, v);
    }
    return kept.toString() || undefined;
  });

/**
 * `next`: the queue row after the approved one, selected when the queue comes back; `filters`:
 * the queue's filters, so it comes back as the editor left it.
 */
export const approveForm = z.object({ version: version.optional(), note: optionalNote, back, next: z.coerce.number().int().positive().optional(), filters: queueFilters });

export const rejectForm = z.object({
  reason: z.enum(REASON_CODES, { message: `expected one of ${REASON_CODES.join(', ')}` }),
  note: optionalNote,
  version: version.optional(),
  back,
});

/** A YYYY-MM-DD that names a day of the calendar: 2030-02-31 is not one (JavaScript would read it as 3 March). */
export function calendarDate(s: string): Date | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return null;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s ? d : null;
}

export const snoozeForm = z.object({
  until: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
    .refine((s) => calendarDate(s) !== null, { error: (i) => `${String(i.input)} is not a date in the calendar` })
    .transform((s) => calendarDate(s)!),
  back,
});

export const reopenForm = z.object({ back });

/** "Undo" in the notice after an approval or rejection: the decision it undoes. */
export const undoForm = z.object({ decision: z.coerce.number().int().positive(), back });

/** Opening an issue: an optional title; it starts with the proposed stories unless `empty` is checked. */
export const openIssueForm = z.object({
  title: z
    .string()
    .trim()
    .max(300, 'at most 300 characters')
    .optional()
    .transform((s) => s || null),
  empty: z.literal('on').optional(),
});

/** A story to add to an issue: one of the approved stories offered. */
export const addToIssueForm = z.object({ story: z.coerce.number({ message: 'choose a story' }).int().positive('choose a story') });

/** Moving a story in an issue: its new position, 1 being the top. */
export const moveInIssueForm = z.object({ to: z.coerce.number().int().positive('expected a position from 1') });

/** "Mark as sent": only from the confirmation page, which names the issue it confirms. */
export const sendIssueForm = z.object({ confirm: z.coerce.number().int().positive() });

/** The most takeaways an edit may have (the drafting schema allows 3 to 5). */
export const MAX_TAKEAWAYS = 8;

/** The most body paragraphs and implications an edit may have (the drafting schema allows 3 and 4). */
export const MAX_PARAGRAPHS = 6;
export const MAX_IMPLICATIONS = 8;

/** Line breaks as a browser sends them (CRLF) become \n, so stored text has one kind. */
const unixLines = (s: string) => s.replace(/\r\n?/g, '\n');

/** A textarea of parts: `separator` splits it, each part is trimmed, empty ones are dropped. */
const parts = (separator: RegExp, max: number, maxEach: number, what: string) =>
  z
    .string()
    .max(max * (maxEach + 4), 'too long')
    .transform((s) => unixLines(s).split(separator).map((p) => p.trim()).filter(Boolean))
    .pipe(z.array(z.string().max(maxEach, `at most ${maxEach} characters each`)).max(max, `at most ${max} ${what}`));

/** An empty select or field counts as left out. */
const emptyIsAbsent = (v: unknown) => (v === '' ? undefined : v);

/**
 * The edit form: one field per draft field, named as in the story JSON, and the version edited.
 * `body` is one textarea with paragraphs separated by a blank line, `implications` one per line;
 * deck, body and implications may be empty (the offline engine leaves them so), and an empty
 * reader note is none. `verdict` and `recommendation` (optional) take the draft schema's values;
 * whether they make a judgement, and a pair the rubric forbids, is decided in judgement.ts.
 */
export const editForm = z
  .object({
    version,
    headline: text(300),
    tldr: text(1000),
    whyItMatters: text(3000),
    category: text(60),
    deck: z.string().trim().max(500, 'at most 500 characters'),
    body: parts(/\n\s*\n/, MAX_PARAGRAPHS, 3000, 'paragraphs'),
    implications: parts(/\n/, MAX_IMPLICATIONS, 1000, 'implications'),
    readerNote: z
      .string()
      .trim()
      .max(2000, 'at most 2000 characters')
      .transform((s) => (s ? unixLines(s) : null)),
    takeaways: z
      .array(z.object({ text: z.string().trim().max(1000), quote: z.string().trim().max(1000) }))
      .max(MAX_TAKEAWAYS)
      // A takeaway left empty is removed.
      .transform((ts) => ts.filter((t) => t.text || t.quote))
      .pipe(z.array(z.object({ text: text(1000), quote: text(1000) })).min(1, 'at least one takeaway')),
    // The editor's judgement, named as in the story JSON's framing; left out (or empty), the standing one stays.
    verdict: z.preprocess(emptyIsAbsent, z.enum(FRAMING_VERDICTS, { message: `expected one of ${FRAMING_VERDICTS.join(', ')}` }).optional()),
    recommendation: z.preprocess(emptyIsAbsent, z.enum(RECOMMENDATIONS, { message: `expected one of ${RECOMMENDATIONS.join(', ')}` }).optional()),
  })
  .strip();

export type EditForm = z.infer<typeof editForm>;

/**
 * The edit form, its category one of `categories`: the configured ones, and the story's own (the
 * form offers that one too, so a story drafted under categories since removed can still be saved).
 */
export function parseEditForm(body: Record<string, unknown>, categories: readonly string[]): EditForm {
  const schema = editForm.extend({
    category: text(60).refine((c) => categories.includes(c), { message: `expected one of ${categories.join(', ')}` }),
  });
  return parseForm(schema, nestTakeaways(body));
}

/** Reads `takeaways.N.text` / `takeaways.N.quote` fields into an array, in N order. */
function nestTakeaways(body: Record<string, unknown>): Record<string, unknown> {
  const takeaways: { text: string; quote: string }[] = [];
  for (const [k, v] of Object.entries(body)) {
    const m = /^takeaways\.(\d)\.(text|quote)$/.exec(k);
    if (!m || typeof v !== 'string') continue;
    const i = Number(m[1]);
    takeaways[i] ??= { text: '', quote: '' };
    takeaways[i][m[2] as 'text' | 'quote'] = v;
  }
  return { ...body, takeaways: takeaways.filter(Boolean) };
}

/** Validates a parsed form body against a schema; HttpError 400 listing every problem otherwise. */
export function parseForm<S extends z.ZodType>(schema: S, body: Record<string, unknown>): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => `${i.path.join('.') || 'form'}: ${i.message}`);
  throw new HttpError(400, problems.join('; '));
}
