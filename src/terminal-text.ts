/**
 * What a vendor sends must never drive a terminal or hide text in a review. A vendor's text (an error message, a
 * name, an id) can carry ESC/OSC sequences that retitle a terminal or erase lines, C1 controls that some terminals
 * read as ESC sequences, line breaks that forge a log line or a table row, and bidirectional overrides that show
 * code or text in an order other than the one it has (Trojan Source). Every place where vendor text reaches a person
 * passes it through one of these functions.
 */

/**
 * The characters escaped: C0 controls (tab and line breaks included), DEL, C1 controls, the Unicode line and
 * paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

function hex(char: string, digits: number): string {
  return char.charCodeAt(0).toString(16).padStart(digits, '0');
}

/**
 * A text as it may be printed on one line of a terminal or a log: every unsafe character becomes a visible escape
 * (`\x1b` for a control, `\u202e` for a bidirectional override), so nothing it holds can move the cursor, start a
 * new line, or reorder what follows.
 */
export function terminalText(text: string): string {
  return text.replace(UNSAFE, (c) => (c.charCodeAt(0) <= 0xff ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`));
}

/** Like terminalText, but keeps line breaks ("\n"): for a message of several lines this tool wrote itself. */
export function terminalLines(text: string): string {
  return text.split('\n').map(terminalText).join('\n');
}

/** What JSON.stringify leaves as it is: C0 controls it escapes already, and its own line breaks must stay. */
const UNSAFE_AFTER_JSON = /[\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/g;

/**
 * Escapes every unsafe character of the output of JSON.stringify (a string literal, or a whole JSON document) as
 * `\uXXXX`: there such characters can only stand inside strings, where `\uXXXX` means the same character, so the
 * value is unchanged, JSON stays JSON, and the printed text shows no control.
 */
export function codeText(jsonText: string): string {
  return jsonText.replace(UNSAFE_AFTER_JSON, (c) => `\\u${hex(c, 4)}`);
}

/** A string as a one-line JavaScript/TypeScript (and JSON) string literal that shows every unsafe character as `\uXXXX`. */
export function stringLiteral(value: string): string {
  return codeText(JSON.stringify(value));
}
