/**
 * The handler's error hierarchy. Every message names the vendor, the operation and the resource, so a failed
 * `terraform apply` says what went wrong where. Secrets are removed twice: from a vendor's answer before it is cut
 * to length (a cut could otherwise leave part of an echoed credential), and from the final text at the top of the
 * handler and the command-line tool.
 */

export interface ErrorContext {
  readonly vendor: string;
  /** What the handler was doing, in words: "grant read on integration X to group 7". */
  readonly operation: string;
}

export class SaasPermissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Settings or credentials are missing or malformed; nothing was sent to the vendor. */
export class ConfigurationError extends SaasPermissionError {}

/** A value known only at apply time failed validation; nothing was sent to the vendor. */
export class ValidationError extends SaasPermissionError {}

/** The run was stopped before its next request: the terraform process that started it is gone. */
export class CancelledError extends SaasPermissionError {}

/** A revoke the vendor neither performed nor confirmed as already done; the grant may still be held. */
export class UnconfirmedRevokeError extends SaasPermissionError {}

/** The vendor answered with a status the operation does not accept. */
export class HttpError extends SaasPermissionError {
  constructor(
    readonly context: ErrorContext,
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly vendorMessage: string,
    readonly vendorCode: string | undefined,
    hint?: string,
  ) {
    super(
      `${context.vendor}: ${context.operation} failed: ${method} ${printableUrl(url)} answered HTTP ${status}` +
        (vendorCode ? ` (${vendorCode})` : '') +
        (vendorMessage ? `: ${vendorMessage}` : '') +
        (hint ? `. ${hint}` : ''),
    );
  }
}

/**
 * An answer that is not the one the vendor documents for this call: a redirect, a 2xx with another status, an HTML
 * page where JSON is documented. Not retried within the run: repeating the request would get the same page.
 */
export class UnexpectedAnswerError extends SaasPermissionError {
  constructor(context: ErrorContext, method: string, url: string, detail: string, hint?: string) {
    super(`${context.vendor}: ${context.operation} failed: ${method} ${printableUrl(url)} ${detail}${hint ? `. ${hint}` : ''}`);
  }
}

/** One request took longer than its timeout, or the run hit its overall deadline. */
export class TimeoutError extends SaasPermissionError {
  constructor(context: ErrorContext, method: string, url: string, detail: string) {
    super(`${context.vendor}: ${context.operation} failed: ${method} ${printableUrl(url)} timed out (${detail})`);
  }
}

/** The connection failed (refused, reset, DNS, TLS) or the answer could not be read. */
export class NetworkError extends SaasPermissionError {
  constructor(context: ErrorContext, method: string, url: string, detail: string) {
    super(`${context.vendor}: ${context.operation} failed: ${method} ${printableUrl(url)}: ${detail}`);
  }
}

/** A URL as it may be printed: without user information (a password there would otherwise reach every log). */
export function printableUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@?#]*@/i, '$1');
}

const REDACTED = '[REDACTED]';
/** Shorter values are not credentials (a flag, a region) and would shred every message if redacted. */
const MIN_SECRET_LENGTH = 4;
/** A cut-off start of a secret inside a text is redacted from this length; at the very end of a text, from 3. */
const MIN_INNER_PREFIX = 8;
const MIN_TRAILING_PREFIX = 3;

const HTML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", sol: '/', equals: '=', plus: '+', colon: ':' };

/**
 * One round of the encodings a vendor may echo a value in: JSON and C-style string escapes, HTML entities,
 * percent-encoding, quoted-printable (soft line breaks and `=XX`).
 */
function decodeOnce(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\([/"\\])/g, '$1')
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (m, hex: string) => safeCodePoint(parseInt(hex, 16)) ?? m)
    .replace(/&#(\d{1,7});/g, (m, dec: string) => safeCodePoint(Number(dec)) ?? m)
    .replace(/&([a-z]+);/gi, (m, name: string) => HTML_ENTITIES[name.toLowerCase()] ?? m)
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => decodeBytes(run))
    .replace(/=\r?\n/g, '')
    .replace(/(?:=[0-9a-fA-F]{2})+/g, (run) => decodeBytes(run.replace(/=/g, '%')));
}

/** Percent-escaped UTF-8 bytes as text; the run as it is when they are not UTF-8. */
function decodeBytes(run: string): string {
  try {
    return decodeURIComponent(run);
  } catch {
    return run;
  }
}

function safeCodePoint(code: number): string | undefined {
  return Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
}

/** Decodes until nothing changes (a value may be encoded twice), at most a few rounds. */
export function decodeEchoes(text: string): string {
  let current = text;
  for (let round = 0; round < 4; round++) {
    const next = decodeOnce(current);
    if (next === current) break;
    current = next;
  }
  return current;
}

/**
 * The forms a secret may travel in, derived once per secret rather than guessed per echo: the secret in each case
 * it may be echoed in, and of each its percent-encoding, hex, and base64 and base64url. Base64 is taken at each of
 * the three byte alignments, keeping only the groups that lie wholly inside the secret: those are the same whatever
 * surrounds it, so the base64 of a whole header value (`Bearer <token>`, `TOKEN <token>`, Basic `user:<token>`)
 * holds one of them. Matching is case-insensitive (upper-cased echoes, upper-case hex) and ignores white space
 * (spaced-out echoes, wrapped base64); JSON, HTML, percent and quoted-printable encodings are decoded first.
 */
function secretForms(secret: string): readonly string[] {
  let forms = formsBySecret.get(secret);
  if (!forms) {
    // The per-run agent redacts every grant's lines with the run's secrets: they are derived once, not per line.
    if (formsBySecret.size >= MAX_CACHED_SECRETS) formsBySecret.clear();
    forms = deriveSecretForms(secret);
    formsBySecret.set(secret, forms);
  }
  return forms;
}
const formsBySecret = new Map<string, readonly string[]>();
/** Far above what one process holds (the environment's credentials and one run's grants' own). */
const MAX_CACHED_SECRETS = 1024;

function deriveSecretForms(secret: string): string[] {
  const encoded: string[] = [];
  for (const plain of new Set([secret, secret.toUpperCase(), secret.toLowerCase()])) {
    const bytes = Buffer.from(plain);
    encoded.push(encodeURIComponent(plain), bytes.toString('hex'), bytes.toString('base64'), bytes.toString('base64url'));
    for (let offset = 0; offset < 3; offset++) {
      const inside = bytes.subarray(offset, offset + Math.floor((bytes.length - offset) / 3) * 3);
      encoded.push(inside.toString('base64'), inside.toString('base64url'));
    }
  }
  // An encoded form shorter than MIN_INNER_PREFIX (the base64 of a few bytes) would match ordinary words.
  const forms = [secret, ...encoded.map((f) => f.replace(/=+$/, '')).filter((f) => f.length >= MIN_INNER_PREFIX)];
  return [...new Set(forms.map((f) => f.toLowerCase()))];
}

/**
 * Marks, in a text, every form of a secret and every cut-off start of one (inside the text from MIN_INNER_PREFIX
 * characters, at its end from MIN_TRAILING_PREFIX), and replaces each marked run with REDACTED. The search runs on
 * a view of the text in lower case without white space, each of whose characters knows its place in the text.
 */
function redactForms(text: string, forms: readonly string[]): string {
  let view = '';
  const at: number[] = [];
  // Lower-cased whole when that keeps every character in its place (a few characters grow when lower-cased).
  const lowered = text.toLowerCase();
  const inPlace = lowered.length === text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const code = text.charCodeAt(i);
    if ((code <= 32 || code >= 0x85) && /\s/.test(c)) continue;
    const lower = inPlace ? lowered[i] : c.toLowerCase();
    view += lower.length === 1 ? lower : c;
    at.push(i);
  }
  const hidden = new Uint8Array(text.length);
  const mark = (from: number, length: number) => hidden.fill(1, at[from], at[from + length - 1] + 1);
  for (const form of forms) {
    const head = form.slice(0, Math.min(form.length, MIN_INNER_PREFIX));
    for (let found = view.indexOf(head); found >= 0; found = view.indexOf(head, found + 1)) {
      let length = head.length;
      while (length < form.length && view[found + length] === form[length]) length++;
      // A whole form, or a cut-off start of one at least MIN_INNER_PREFIX long.
      if (length === form.length || length >= MIN_INNER_PREFIX) mark(found, length);
    }
    if (form.length >= MIN_INNER_PREFIX) {
      // The longest start of the form that ends the text: the first place in its tail where the rest is one.
      for (let from = Math.max(0, view.length - form.length + 1); from <= view.length - MIN_TRAILING_PREFIX; from++) {
        if (view[from] === form[0] && form.startsWith(view.slice(from))) {
          mark(from, view.length - from);
          break;
        }
      }
    }
  }
  let out = '';
  for (let i = 0; i < text.length; i++) {
    if (!hidden[i]) out += text[i];
    else if (i === 0 || !hidden[i - 1]) out += REDACTED;
  }
  return out;
}

/**
 * Removes every secret from a text: every form of each secret (see secretForms) and cut-off starts of them, also
 * where the text carries them encoded (then the decoded text is what is kept), and anything that looks like an
 * Authorization header value or a JWT.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = secrets.filter((s) => s && s.length >= MIN_SECRET_LENGTH).flatMap((s) => secretForms(s))
    .sort((a, b) => b.length - a.length);
  let out = forms.length > 0 ? redactForms(text, forms) : text;
  const decoded = decodeEchoes(out);
  if (decoded !== out && forms.length > 0) {
    const decodedClean = redactForms(decoded, forms);
    if (decodedClean !== decoded) out = decodedClean;
  }
  return out
    .replace(/((?:authorization|auth)["']?\s*[:=]\s*["']?)(?:bearer |token |basic )?[^\s"',}]+/gi, `$1${REDACTED}`)
    .replace(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g, REDACTED);
}

/**
 * Redacts, then cuts to `max` characters, so a cut can never leave part of a secret behind. Only the start of a long
 * text is looked at (a few times `max`, enough for any encoding of a secret that crosses the cut): an answer of
 * megabytes is never scanned whole for a message of a few hundred characters.
 */
export function redactAndTruncate(text: string, secrets: readonly string[], max = 500): string {
  const longest = Math.max(0, ...secrets.map((s) => s.length));
  const window = text.slice(0, 4 * max + 16 * longest);
  const clean = redact(window, secrets);
  if (clean.length <= max) return clean;
  // The cut may split "[REDACTED]" itself; that only shortens the marker.
  return `${redact(clean.slice(0, max), secrets)}... (${clean.length - max + text.length - window.length} more characters)`;
}

/**
 * Every credential-looking variable of the environment, so even an error before a vendor client reads its
 * credentials cannot print one. Short values (a flag like SOME_KEY=true) are left out: they are not credentials and
 * would shred every message. The credentials a vendor client reads are added to the list when it reads them.
 */
export function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /TOKEN|SECRET|KEY|JWT|PASSWORD/i.test(name) && (value ?? '').length >= 8)
    .map(([, value]) => value as string);
}
