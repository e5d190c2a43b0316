/** Lenient feed dates: RFC 822 and ISO 8601 first, then common real-world deviations. */

/** Zone names Date.parse does not know, with their UTC offsets. */
const ZONES: Record<string, string> = {
  CET: '+0100', CEST: '+0200', MET: '+0100', MEST: '+0200', BST: '+0100', IST: '+0530', EET: '+0200',
  EEST: '+0300', WET: '+0000', WEST: '+0100', JST: '+0900', KST: '+0900', AEST: '+1000', AEDT: '+1100',
  ACST: '+0930', AWST: '+0800', NZST: '+1200', NZDT: '+1300', HKT: '+0800', SGT: '+0800', MSK: '+0300',
  AKST: '-0900', AKDT: '-0800', HST: '-1000', AST: '-0400', ADT: '-0300', NST: '-0330', UTC: '+0000',
};

const MIN_TIME = Date.UTC(1970, 0, 1);

/** ISO date-times without a zone are read as UTC, so results do not depend on the machine's zone. */
const ISO_WITHOUT_ZONE = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/;

function tryParse(text: string): number | null {
  const t = Date.parse(ISO_WITHOUT_ZONE.test(text) ? `${text.replace(' ', 'T')}Z` : text);
  return Number.isFinite(t) ? t : null;
}

/** Rewrites the usual deviations: day names, unknown zone names, `.` or `-` as separators, missing seconds. */
function repair(text: string): string {
  return text
    .replace(/^[A-Za-z]{2,9}\.?,?\s+/, '') // "Tues, " / "Monday "
    .replace(/\b([A-Z]{3,4})\b$/, (z) => ZONES[z] ?? z)
    .replace(/(\d{1,2})[.-]([A-Za-z]{3})[a-z]*[.-](\d{2,4})/, '$1 $2 $3') // 05-Sep-2002
    .replace(/(\d{1,2}:\d{2})([+-]\d{2}):?(\d{2})$/, '$1 $2$3')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Parses a feed date to ISO 8601. Null when missing or unparseable, or before 1970; dates after
 * `now` are clamped to `now`, since a future date would pin the item to the top forever.
 */
export function parseFeedDate(raw: string | null | undefined, now: Date): { iso: string | null; problem: string | null } {
  const text = raw?.trim();
  if (!text) return { iso: null, problem: null };
  const time = tryParse(text) ?? tryParse(repair(text));
  if (time === null || time < MIN_TIME) return { iso: null, problem: `unparseable date "${text.slice(0, 80)}"` };
  if (time > now.getTime()) return { iso: now.toISOString(), problem: `future date "${text.slice(0, 80)}" clamped to now` };
  return { iso: new Date(time).toISOString(), problem: null };
}
