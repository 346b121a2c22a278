/**
 * What every vendor client gives the handler and the command-line tool: how to connect, how to read its errors, and
 * three operations on a grant's scope: read what the vendor holds, apply a grant, revoke one. A revoke succeeds only
 * on the vendor's documented success or when the vendor itself confirms the grant is absent (its own not-found for
 * that object, or a read that answers and does not hold it); anything else fails and says what to check.
 */
import { Connection, HTTP_URL, VendorName, hasUserInfo, unaddressableSegment } from '../contract';
import { ConfigurationError, UnconfirmedRevokeError, ValidationError } from '../errors';
import { HttpClientOptions, HttpRequester } from '../http';
import { PagingLimits } from './paging';

export interface VendorSession {
  readonly request: HttpRequester;
  readonly baseUrl: string;
  /** Headers every request carries, credentials included; never logged. */
  readonly headers: Record<string, string>;
  /** Where the base URL came from ("POLARITY_URL", "the provider's url"), for messages that say what to check. */
  readonly urlSource: string;
  /** A vendor's text as it may be quoted in a message: secrets removed, then cut to length. */
  excerpt(text: string): string;
  /** How far one scope's read may page (see paging.ts). */
  readonly limits: PagingLimits;
  /** Waits before a retry the client makes itself (a fresh Polytomic idempotency key): the settings' backoff, at least `atLeastMs`. */
  pause(attempt: number, atLeastMs?: number): Promise<void>;
}

export interface VendorConnection {
  readonly baseUrl: string;
  readonly urlSource: string;
  readonly headers: Record<string, string>;
  /** Values to scrub from every message. */
  readonly secrets: string[];
  /** Which environment variables to check when the vendor answers 401/403. */
  readonly authHint: string;
}

/** What a read of one scope found: what the vendor holds there, or the vendor's confirmation that the scope is gone. */
export type ScopeRead<H> = { readonly exists: true; readonly held: H } | { readonly exists: false; readonly detail: string };

export interface VendorClient<C extends Connection, G, S, H> {
  readonly vendor: VendorName;
  readonly readError: HttpClientOptions['readError'];
  readonly isRetryable?: HttpClientOptions['isRetryable'];
  /** Reads URL and credentials from the settings and the environment; throws ConfigurationError naming the variable. */
  connect(connection: C, env: NodeJS.ProcessEnv): Promise<VendorConnection>;
  /** The scope one read answers for (a Polarity integration, a Britive profile, a Kore entity, all Polytomic policies). */
  scopeOf(grant: G): S;
  /** Grants in the same scope share this key, so a drift report reads each scope once. */
  scopeKey(scope: S): string;
  read(scope: S, session: VendorSession): Promise<ScopeRead<H>>;
  /** Brings the vendor to the grant's declared state; returns one line saying what changed. */
  apply(grant: G, session: VendorSession): Promise<string>;
  /** Takes the grant away, or confirms it is already gone; returns one line saying which. */
  revoke(grant: G, session: VendorSession): Promise<string>;
}

/** Reads an environment variable that must be set, or explains which one is missing. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string, vendor: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new ConfigurationError(`${vendor}: ${what} is not set: export ${name} in the environment of the terraform process`);
  }
  return value;
}

/** Picks the URL from the construct, else the named variable, else the vendor's default, and checks it is http(s). */
export function resolveBaseUrl(
  vendor: string, explicit: string | undefined, env: NodeJS.ProcessEnv, envName: string, fallback?: string,
): { baseUrl: string; urlSource: string } {
  const fromEnv = env[envName];
  const url = explicit || fromEnv || fallback;
  const urlSource = explicit ? `the provider's URL` : fromEnv ? envName : `the default URL (${envName} is not set)`;
  if (!url) throw new ConfigurationError(`${vendor}: no URL: set the provider's URL or export ${envName}`);
  if (!HTTP_URL.test(url)) {
    const why = hasUserInfo(url)
      ? 'holds a user name or password (credentials come from the token variables, never the URL)'
      : 'is not an http(s) URL without query or fragment';
    throw new ConfigurationError(`${vendor}: the URL from ${explicit ? 'the provider construct' : envName} ${why}`);
  }
  return { baseUrl: url.replace(/\/+$/, ''), urlSource };
}

/**
 * Builds a request URL from a path template whose placeholders are ids: each id is percent-encoded as one path
 * segment, "." and ".." are refused, and the URL is parsed back to check it still has the segments the template
 * meant, so no value can retarget a request to another route.
 */
export function apiUrl(baseUrl: string, vendor: string) {
  return (strings: TemplateStringsArray, ...ids: string[]): string => {
    const queryFrom = strings.findIndex((part) => part.includes('?'));
    ids.forEach((id, i) => {
      const inPath = queryFrom < 0 || i < queryFrom;
      if (inPath ? unaddressableSegment(id) : id === '') {
        throw new ValidationError(`${vendor}: the id ${JSON.stringify(id)} cannot be part of a request path; nothing was sent`);
      }
    });
    const path = strings.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(ids[i]) : ''), '');
    const url = baseUrl + path;
    const segments = (p: string) => p.replace(/\/+$/, '').split('/').length - 1;
    if (segments(new URL(url).pathname) !== segments(new URL(baseUrl).pathname) + segments(path.split('?')[0])) {
      throw new ValidationError(`${vendor}: the request path ${JSON.stringify(path)} does not have the shape the client meant; nothing was sent`);
    }
    return url;
  };
}

/**
 * A revoke the vendor did not confirm: says what was asked, what came back and which setting to check. The handler
 * adds how to let the instance go when the vendor's object is gone for good.
 */
export function unconfirmed(vendor: string, what: string, answer: string, session: VendorSession): UnconfirmedRevokeError {
  return new UnconfirmedRevokeError(`${vendor}: ${what} could not be confirmed: ${answer}. Nothing says the grant is gone, so it stays in ` +
    `state and the next apply tries again. Check ${session.urlSource} (a wrong host, path or proxy also answers 404)`);
}

/** crypto is loaded on first use: Polarity and Britive calls never need it, and loading it costs every run. */
export function randomUUID(): string {
  return (require('crypto') as typeof import('crypto')).randomUUID();
}
