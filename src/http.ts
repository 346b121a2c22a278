/**
 * The one place where the handler talks to the network. It owns timeouts, the run's deadline, retries with
 * capped exponential backoff and full jitter, Retry-After, proxies, and turning failures into errors that
 * name the vendor, the operation and the status. Vendor clients receive a `HttpRequester` and know nothing
 * of any of this.
 */
import fetch, { Response } from 'node-fetch';
import type { Agent } from 'http';
import { HttpSettings } from './contract';
import { ErrorContext, HttpError, NetworkError, TimeoutError } from './errors';

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Serialized as JSON when present. */
  readonly body?: unknown;
  /** Statuses the caller handles itself (for example 404 on a revoke); every other non-2xx throws. */
  readonly acceptStatuses?: readonly number[];
  readonly context: ErrorContext;
}

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, or undefined for an empty body. */
  readonly json: unknown;
  readonly text: string;
}

export type HttpRequester = (request: HttpRequest) => Promise<HttpResponse>;

/** Reads a vendor's error body into a message and a code; each vendor knows its own shape. */
export interface VendorErrorReader {
  (status: number, body: unknown, text: string): { message: string; code?: string };
}

export interface HttpClientOptions {
  readonly settings: HttpSettings;
  readonly readError: VendorErrorReader;
  /** Vendor veto on a retry the status alone would allow (Britive's maintenance 503). */
  readonly isRetryable?: (status: number, code: string | undefined) => boolean;
  /** Advice appended to 401/403 errors: which environment variable holds the credential. */
  readonly authHint?: string;
  /** For tests: replaces the clock's sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

export const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
]);

/** Parses Retry-After as seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now: number): number | undefined {
  if (!value) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return Math.round(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Full-jitter exponential backoff: a random delay in [0, min(cap, base * 2^attempt)]. */
export function backoffDelay(attempt: number, settings: HttpSettings, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(settings.maxBackoffMs, settings.baseBackoffMs * 2 ** attempt));
}

function proxyAgentFor(url: string): Agent | undefined {
  if (!process.env.HTTPS_PROXY && !process.env.https_proxy && !process.env.HTTP_PROXY && !process.env.http_proxy) {
    return undefined;
  }
  // Loaded only when a proxy is configured: keeps the common path's start-up small.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const { getProxyForUrl } = require('proxy-from-env') as typeof import('proxy-from-env');
  const proxy = getProxyForUrl(url);
  if (!proxy) return undefined;
  if (url.startsWith('https:')) {
    const { HttpsProxyAgent } = require('https-proxy-agent') as typeof import('https-proxy-agent');
    const { isIP } = require('net') as typeof import('net');
    const { checkServerIdentity } = require('tls') as typeof import('tls');
    // https-proxy-agent 7 drops `host` and sets no servername for an IP target, so Node would check the vendor's
    // certificate against "localhost"; an on-premises server reached by IP must be checked against its own address.
    type ConnectArgs = Parameters<InstanceType<typeof HttpsProxyAgent>['connect']>;
    class TargetCheckingAgent extends HttpsProxyAgent<string> {
      connect(req: ConnectArgs[0], opts: ConnectArgs[1]) {
        const host = opts.host;
        return super.connect(req, host && isIP(host)
          ? { ...opts, checkServerIdentity: (_: string, cert: import('tls').PeerCertificate) => checkServerIdentity(host, cert) } as ConnectArgs[1]
          : opts);
      }
    }
    return new TargetCheckingAgent(proxy);
  }
  const { HttpProxyAgent } = require('http-proxy-agent') as typeof import('http-proxy-agent');
  return new HttpProxyAgent(proxy);
}

class RetryableFailure extends Error {
  constructor(readonly final: Error, readonly retryAfterMs?: number) {
    super(final.message);
  }
}

export function createHttpClient(options: HttpClientOptions): HttpRequester {
  const { settings } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + settings.deadlineMs;

  async function attempt(request: HttpRequest): Promise<HttpResponse> {
    const { method, url, context } = request;
    const remaining = deadline - now();
    const timeoutMs = Math.min(settings.requestTimeoutMs, remaining);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...request.headers },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal as never,
        agent: proxyAgentFor(url),
      });
      text = await response.text();
    } catch (error) {
      const err = error as NodeJS.ErrnoException & { type?: string };
      if (err.name === 'AbortError' || err.type === 'aborted') {
        const detail = timeoutMs < settings.requestTimeoutMs
          ? `the run's deadline of ${settings.deadlineMs} ms was reached`
          : `no answer within ${timeoutMs} ms`;
        throw new RetryableFailure(new TimeoutError(context, method, url, detail));
      }
      const code = err.code ?? (err as { errno?: string }).errno;
      const failure = new NetworkError(context, method, url, `${code ?? 'network error'}: ${err.message}`);
      if (code && RETRYABLE_NETWORK_CODES.has(code)) throw new RetryableFailure(failure);
      if (err.type === 'system' || /socket hang up|premature close/i.test(err.message)) throw new RetryableFailure(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
    }

    let json: unknown;
    if (text.length > 0 && /json/i.test(response.headers.get('content-type') ?? 'json')) {
      try {
        json = JSON.parse(text);
      } catch {
        if (response.ok) {
          // A 2xx with an unreadable body may be a proxy or a broken answer; the operations are safe to repeat.
          throw new RetryableFailure(
            new NetworkError(context, method, url, `HTTP ${response.status} with a body that is not JSON: ${text.slice(0, 200)}`),
          );
        }
      }
    }
    if (response.ok || request.acceptStatuses?.includes(response.status)) {
      return { status: response.status, json, text };
    }
    const { message, code } = options.readError(response.status, json, text);
    const hint = response.status === 401 || response.status === 403 ? options.authHint : undefined;
    const failure = new HttpError(context, method, url, response.status, message, code, hint);
    const retryable = RETRYABLE_STATUSES.has(response.status) && (options.isRetryable?.(response.status, code) ?? true);
    if (retryable) throw new RetryableFailure(failure, parseRetryAfter(response.headers.get('retry-after'), now()));
    throw failure;
  }

  return async function request(req: HttpRequest): Promise<HttpResponse> {
    // A 429 is the vendor pacing us, not a failure: it is bounded by the run's deadline, not by maxRetries.
    for (let retries = 0, attempts = 1; ; attempts++) {
      try {
        return await attempt(req);
      } catch (error) {
        if (!(error instanceof RetryableFailure)) throw error;
        const rateLimited = error.final instanceof HttpError && error.final.status === 429;
        // Jitter on top of Retry-After too, so clients told the same second do not all return in it.
        const delay = error.retryAfterMs !== undefined
          ? error.retryAfterMs + backoffDelay(0, settings)
          : backoffDelay(retries, settings);
        const outOfTime = now() + delay >= deadline;
        if ((!rateLimited && retries >= settings.maxRetries) || outOfTime) {
          const why = outOfTime ? `the run's deadline of ${settings.deadlineMs} ms would pass before the next try` : `the retry limit (maxRetries ${settings.maxRetries}) was reached`;
          error.final.message += ` (gave up after ${attempts} attempt${attempts > 1 ? 's' : ''}: ${why})`;
          throw error.final;
        }
        if (!rateLimited) retries++;
        await sleep(delay);
      }
    }
  };
}
