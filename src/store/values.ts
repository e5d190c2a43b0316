/** Conversions between stored text and domain values, shared by the table files. */

/** A stored ISO 8601 timestamp as a Date; null stays null. */
export const dateOf = (s: string | null): Date | null => (s === null ? null : new Date(s));

/** A Date as stored: ISO 8601 in UTC, which sorts as text. */
export const isoOf = (d: Date): string => d.toISOString();

export const isoOrNull = (d: Date | null | undefined): string | null => (d ? d.toISOString() : null);
