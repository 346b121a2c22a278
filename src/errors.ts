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

/** One round of the encodings a vendor may echo a value in: JSON string escapes, HTML entities, percent-encoding. */
function decodeOnce(text: string): string {
  return text
    .replace(/\\u([0-9a-fA-F]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))
    .replace(/\\([/"\\])/g, '$1')
    .replace(/&#x([0-9a-fA-F]{1,6});/g, (m, hex: string) => safeCodePoint(parseInt(hex, 16)) ?? m)
    .replace(/&#(\d{1,7});/g, (m, dec: string) => safeCodePoint(Number(dec)) ?? m)
    .replace(/&([a-z]+);/gi, (m, name: string) => HTML_ENTITIES[name.toLowerCase()] ?? m)
    .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => {
      try {
        return decodeURIComponent(run);
      } catch {
        return run;
      }
    });
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

/** The forms a secret may travel in: as is, base64 (Basic auth), base64url, percent-encoded (either case). */
function secretForms(secret: string): string[] {
  const base64 = Buffer.from(secret).toString('base64');
  const encoded = encodeURIComponent(secret);
  return [...new Set([secret, base64, base64.replace(/=+$/, ''), Buffer.from(secret).toString('base64url'), encoded, encoded.toLowerCase()])];
}

/** Redacts cut-off starts of secrets: inside the text from MIN_INNER_PREFIX characters, at its end from fewer. */
function redactPrefixes(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) {
    if (form.length < MIN_INNER_PREFIX) continue;
    for (let length = form.length - 1; length >= MIN_TRAILING_PREFIX; length--) {
      const prefix = form.slice(0, length);
      if (out.endsWith(prefix)) {
        out = out.slice(0, -length) + REDACTED;
        break;
      }
    }
    for (let length = form.length - 1; length >= MIN_INNER_PREFIX; length--) {
      out = out.split(form.slice(0, length)).join(REDACTED);
    }
  }
  return out;
}

function redactForms(text: string, forms: readonly string[]): string {
  let out = text;
  for (const form of forms) out = out.split(form).join(REDACTED);
  return redactPrefixes(out, forms);
}

/**
 * Removes every secret from a text: every form of each secret (as is, base64, base64url, percent-encoded) and cut-off
 * starts of them, also where the text carries them encoded (JSON escapes, HTML entities, percent-encoding: then the
 * decoded text is what is kept), and anything that looks like an Authorization header value or a JWT.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const forms = secrets.filter((s) => s && s.length >= MIN_SECRET_LENGTH).flatMap(secretForms)
    .sort((a, b) => b.length - a.length);
  let out = redactForms(text, forms);
  const decoded = decodeEchoes(out);
  if (decoded !== out) {
    const decodedClean = redactForms(decoded, forms);
    if (decodedClean !== decoded) out = decodedClean;
  }
  return out
    .replace(/((?:authorization|auth)["']?\s*[:=]\s*["']?)(?:bearer |token |basic )?[^\s"',}]+/gi, `$1${REDACTED}`)
    .replace(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]*/g, REDACTED);
}

/** Redacts, then cuts to `max` characters, so a cut can never leave part of a secret behind. */
export function redactAndTruncate(text: string, secrets: readonly string[], max = 500): string {
  const clean = redact(text, secrets);
  if (clean.length <= max) return clean;
  // The cut may split "[REDACTED]" itself; that only shortens the marker.
  return `${redact(clean.slice(0, max), secrets)}... (${clean.length - max} more characters)`;
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
