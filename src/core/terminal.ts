/**
 * Text that reaches a terminal or a log comes from feeds, pages and models, any of which may be
 * hostile: an ESC sequence in a headline can set the window title, clear the screen or dress a
 * link as another. Everything aiwins prints goes through these two functions.
 */

// C0 controls except tab and newline, DEL, and the C1 controls (U+0080-U+009F: CSI, OSC... in one code point).
const CONTROL_CHARS = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;
const C1_AND_DEL = /[\u007F-\u009F]/g;

/** `text` without control characters (newline and tab kept), safe to print or log. */
export function stripControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, '');
}

/**
 * JSON.stringify whose output is safe on a terminal and unchanged for a parser: JSON already
 * escapes C0 controls; DEL and C1 are escaped here too (`\u009b`), so the value stays exact.
 */
export function terminalSafeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(C1_AND_DEL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
