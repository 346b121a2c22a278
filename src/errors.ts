/**
 * The handler's error hierarchy. Every message names the vendor, the operation and the resource, so a
 * failed `terraform apply` says what went wrong where; redaction of secrets happens once, at the top of
 * the handler, over the final text.
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
      `${context.vendor}: ${context.operation} failed: ${method} ${url} answered HTTP ${status}` +
        (vendorCode ? ` (${vendorCode})` : '') +
        (vendorMessage ? `: ${vendorMessage}` : '') +
        (hint ? `. ${hint}` : ''),
    );
  }
}

/** One request took longer than its timeout, or the run hit its overall deadline. */
export class TimeoutError extends SaasPermissionError {
  constructor(context: ErrorContext, method: string, url: string, detail: string) {
    super(`${context.vendor}: ${context.operation} failed: ${method} ${url} timed out (${detail})`);
  }
}

/** The connection failed (refused, reset, DNS, TLS) or the answer could not be read. */
export class NetworkError extends SaasPermissionError {
  constructor(context: ErrorContext, method: string, url: string, detail: string) {
    super(`${context.vendor}: ${context.operation} failed: ${method} ${url}: ${detail}`);
  }
}

const REDACTED = '[REDACTED]';

/**
 * Removes every secret from a text: the values themselves, their base64 forms (Basic auth) and anything that
 * looks like an Authorization header or a JWT, in case a vendor echoes a request back.
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    for (const form of [secret, Buffer.from(secret).toString('base64'), encodeURIComponent(secret)]) {
      out = out.split(form).join(REDACTED);
    }
  }
  return out
    .replace(/((?:authorization|auth)["']?\s*[:=]\s*["']?)(?:bearer |token |basic )?[^\s"',}]+/gi, `$1${REDACTED}`)
    .replace(/eyJ[\w-]+\.eyJ[\w-]+\.[\w-]+/g, REDACTED);
}
