/** What every vendor module gives the handler: how to connect, how to read its errors, and the two operations. */
import { HTTP_URL, Operation, Payload } from '../contract';
import { ConfigurationError } from '../errors';
import { HttpClientOptions, HttpRequester } from '../http';

export interface VendorSession {
  readonly request: HttpRequester;
  readonly baseUrl: string;
  /** Headers every request carries, credentials included; never logged. */
  readonly headers: Record<string, string>;
}

export interface VendorConnection {
  readonly baseUrl: string;
  readonly headers: Record<string, string>;
  /** Values to scrub from every message the handler prints. */
  readonly secrets: string[];
  /** Which environment variables to check when the vendor answers 401/403. */
  readonly authHint: string;
}

export interface VendorModule<P extends Payload> {
  readonly readError: HttpClientOptions['readError'];
  readonly isRetryable?: HttpClientOptions['isRetryable'];
  /** Reads URL and credentials from the payload and the environment; throws ConfigurationError naming the variable. */
  connect(payload: P, env: NodeJS.ProcessEnv): Promise<VendorConnection>;
  /** Brings the vendor to the payload's declared state and returns one line saying what changed. */
  readonly operations: { readonly [O in Operation]: (payload: P, session: VendorSession) => Promise<string> };
}

/** Reads an environment variable that must be set, or explains which one is missing. */
export function requireEnv(env: NodeJS.ProcessEnv, name: string, vendor: string, what: string): string {
  const value = env[name];
  if (!value) {
    throw new ConfigurationError(`${vendor}: ${what} is not set: export ${name} in the environment of the terraform process`);
  }
  return value;
}

/** Picks the URL from the construct, else the environment, else the vendor's default, and checks it is http(s). */
export function resolveBaseUrl(
  vendor: string, explicit: string | undefined, env: NodeJS.ProcessEnv, envName: string, fallback?: string,
): string {
  const url = explicit || env[envName] || fallback;
  if (!url) throw new ConfigurationError(`${vendor}: no URL: set the provider's url or export ${envName}`);
  if (!HTTP_URL.test(url)) {
    throw new ConfigurationError(`${vendor}: URL ${JSON.stringify(url)} (from ${explicit ? 'the provider construct' : envName}) is not an http(s) URL`);
  }
  return url.replace(/\/+$/, '');
}

export function segment(value: string): string {
  return encodeURIComponent(value);
}

/** crypto is loaded on first use: Polarity and Britive calls never need it, and loading it costs every run. */
export function randomUUID(): string {
  return (require('crypto') as typeof import('crypto')).randomUUID();
}
