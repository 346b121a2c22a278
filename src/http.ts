/**
 * The one place where the handler and the command-line tool talk to the network. It owns timeouts, the run's
 * deadline, retries with capped exponential backoff and full jitter, Retry-After, proxies, cancellation, and what
 * counts as an answer at all: a redirect, a status the call does not document or an HTML page where JSON is
 * documented is a failure that says what came back. What it refuses outright (plain http off this machine, an answer
 * over the size limit, an untrusted certificate) lives in http-guards.ts. While it waits to retry, it says so on
 * stderr. Vendor clients receive a `HttpRequester` and know nothing of this.
 */
import fetch, { Response } from 'node-fetch';
import type { Agent } from 'http';
import { HttpSettings } from './contract';
import { CancelledError, ErrorContext, HttpError, NetworkError, SaasPermissionError, TimeoutError, UnexpectedAnswerError, printableUrl, redact, redactAndTruncate } from './errors';
import { certificateAdvice, checkTransport, readBoundedBody, responseLimit } from './http-guards';
import { terminalText } from './terminal-text';

/** What the vendor documents as this call's success: which statuses, and whether the body is JSON. */
export interface SuccessSpec {
  /** Statuses that mean success. @default any 2xx */
  readonly statuses?: readonly number[];
  /** 'json': a JSON body is documented; 'empty-or-json': no body is documented, so none or a JSON one. */
  readonly body: 'json' | 'empty-or-json';
}

export interface HttpRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** Serialized as JSON when present. */
  readonly body?: unknown;
  readonly success: SuccessSpec;
  /** Error statuses the caller reads itself (a 404 whose body says what is missing); every other one throws. */
  readonly handle?: readonly number[];
  readonly context: ErrorContext;
}

export interface HttpResponse {
  readonly status: number;
  /** Parsed JSON, or undefined when the body is empty or not JSON. */
  readonly json: unknown;
  readonly text: string;
  readonly contentType: string;
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
  /** Advice appended to answers that are not the vendor's (a redirect, an HTML page): which URL setting to check. */
  readonly urlHint?: string;
  /** Values removed from every vendor text before it is cut to length and put in a message. */
  readonly secrets?: readonly string[];
  /** Aborted when the run must stop (its terraform process is gone): no further request is sent. */
  readonly signal?: AbortSignal;
  /** For tests: replaces the clock's sleep. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
  /** Where a line saying a call is retried goes (redacted, one line). @default process.stderr */
  readonly progress?: (line: string) => void;
  /** Read for SAAS_PERMISSIONS_MAX_RESPONSE_BYTES and SAAS_PERMISSIONS_ALLOW_HTTP. @default process.env */
  readonly env?: NodeJS.ProcessEnv;
  /** Who else waits when a vendor answers 429. @default this process's pacing (a fresh one when `now` is given) */
  readonly pacing?: RatePacing;
}

/**
 * One rate-limit budget per vendor host in a process: when a host answers 429, every request of this process to that
 * host waits until the answer's Retry-After (or backoff) has passed, not only the one that was refused. In the
 * per-run agent this makes every grant of that vendor slow down together instead of each finding the limit alone.
 */
export class RatePacing {
  private readonly until = new Map<string, number>();
  /** Every request to `origin` waits until `at` (a later hold wins). */
  hold(origin: string, at: number): void {
    if (at > (this.until.get(origin) ?? 0)) this.until.set(origin, at);
  }
  /** How long a request to `origin` must still wait at `now`; a hold no later than `waited` (its own) is served. */
  waitFor(origin: string, now: number, waited = 0): number {
    const at = this.until.get(origin);
    if (at === undefined || at <= waited) return 0;
    if (at <= now) this.until.delete(origin);
    return Math.max(0, at - now);
  }
}
const processPacing = new RatePacing();

/**
 * Keep-alive connections shared by every call of the process, switched on by the per-run agent (src/agent.ts): its
 * grants then reuse connections (and TLS sessions) to a vendor instead of opening one each. A handler that makes one
 * call and exits has nothing to share and keeps node-fetch's default (a connection per call).
 */
let sharedAgents: { http?: Agent; https?: Agent } | undefined;
export function shareConnections(): void {
  sharedAgents ??= {};
}
/** Idle shared connections close after this, well before common servers' keep-alive timeouts (Node 5 s, nginx 75 s). */
const SHARED_IDLE_MS = 2000;
function sharedAgentFor(url: string): Agent | undefined {
  if (!sharedAgents) return undefined;
  const secure = url.startsWith('https:');
  const key = secure ? 'https' : 'http';
  // Loaded on first use: an http:// run never loads https (and with it tls and crypto).
  const module = (secure ? require('https') : require('http')) as typeof import('http');
  return (sharedAgents[key] ??= new module.Agent({ keepAlive: true, timeout: SHARED_IDLE_MS, scheduling: 'lifo' }));
}

/** A retry wait this long gets a progress line; shorter ones only when the request has been silent for PROGRESS_SILENCE_MS. */
const PROGRESS_MIN_DELAY_MS = 1000;
const PROGRESS_SILENCE_MS = 5000;

export const RETRYABLE_STATUSES = new Set([429, 500, 502, 503, 504]);
const RETRYABLE_NETWORK_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNABORTED',
]);
const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\b/i;

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

/** `https://host:port` of a URL; the URL itself when it does not parse (the attempt then says why). */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

class RetryableFailure extends Error {
  constructor(readonly final: Error, readonly retryAfterMs?: number) {
    super(final.message);
  }
}

/** Resolves after `ms`, or at once when the signal aborts (the caller then checks the signal). */
function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export function createHttpClient(options: HttpClientOptions): HttpRequester {
  const { settings, signal } = options;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => abortableSleep(ms, signal));
  const deadline = now() + settings.deadlineMs;
  const env = options.env ?? process.env;
  const maxResponseBytes = responseLimit(settings, env);
  // Vendor text goes into messages that reach a terminal: no control or bidi character survives as it is.
  const vendorText = (text: string) => terminalText(redactAndTruncate(text, options.secrets ?? []));
  const progress = options.progress ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  // A test's clock is not the process's: its holds must not reach clients on the real clock.
  const pacing = options.pacing ?? (options.now ? new RatePacing() : processPacing);

  function stopIfCancelled(request: HttpRequest): void {
    if (signal?.aborted) {
      throw new CancelledError(`${request.context.vendor}: ${request.context.operation} stopped at ${request.method} ${request.url}: ${String(signal.reason ?? 'the run was cancelled')}`);
    }
  }

  /** Checks a 2xx against what the vendor documents for the call: its status, and a JSON body where one is due. */
  function checkSuccess(request: HttpRequest, response: Response, text: string, json: unknown): void {
    const { context, method, url, success } = request;
    const type = response.headers.get('content-type') ?? '';
    if (success.statuses && !success.statuses.includes(response.status)) {
      throw new UnexpectedAnswerError(context, method, url,
        `answered HTTP ${response.status} where the vendor documents ${success.statuses.join(' or ')}${text ? ` (${type || 'no content type'}: ${vendorText(text)})` : ''}`, options.urlHint);
    }
    const wantsJson = success.body === 'json' || text.length > 0;
    if (wantsJson && json === undefined) {
      const what = text.length === 0 ? 'an empty body' : `a body of type ${type || 'unknown'}`;
      throw new UnexpectedAnswerError(context, method, url,
        `answered HTTP ${response.status} with ${what} where the vendor answers ${success.body === 'json' ? 'JSON' : 'no body or JSON'}` +
        (text ? `: ${vendorText(text)}` : ''), options.urlHint);
    }
  }

  async function attempt(request: HttpRequest): Promise<HttpResponse> {
    const { method, url, context } = request;
    stopIfCancelled(request);
    checkTransport(context, method, url, settings, env);
    const remaining = deadline - now();
    const timeoutMs = Math.min(settings.requestTimeoutMs, remaining);
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const cancel = () => controller.abort();
    signal?.addEventListener('abort', cancel, { once: true });
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method,
        headers: { accept: 'application/json', ...request.headers },
        body: request.body === undefined ? undefined : JSON.stringify(request.body),
        signal: controller.signal as never,
        agent: proxyAgentFor(url) ?? sharedAgentFor(url),
        // A redirect is never the API's answer: following it would send the credentials elsewhere.
        redirect: 'manual',
      });
      text = await readBoundedBody(response, maxResponseBytes, () => controller.abort(), context, method, url);
    } catch (error) {
      if (error instanceof SaasPermissionError) throw error;
      stopIfCancelled(request);
      const err = error as NodeJS.ErrnoException & { type?: string };
      if (err.name === 'AbortError' || err.type === 'aborted') {
        const detail = timeoutMs < settings.requestTimeoutMs
          ? `the run's deadline of ${settings.deadlineMs} ms was reached`
          : `no answer within ${timeoutMs} ms`;
        throw new RetryableFailure(new TimeoutError(context, method, url, detail));
      }
      const code = err.code ?? (err as { errno?: string }).errno;
      const advice = certificateAdvice(code);
      if (advice) throw new NetworkError(context, method, url, `${code}: ${err.message}; ${advice}`);
      const failure = new NetworkError(context, method, url, `${code ?? 'network error'}: ${err.message}`);
      if (code && RETRYABLE_NETWORK_CODES.has(code)) throw new RetryableFailure(failure);
      if (err.type === 'system' || /socket hang up|premature close/i.test(err.message)) throw new RetryableFailure(failure);
      throw failure;
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', cancel);
    }

    const contentType = response.headers.get('content-type') ?? '';
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      throw new UnexpectedAnswerError(context, method, url,
        `answered HTTP ${response.status}, a redirect${location ? ` to ${location}` : ''}; the API does not redirect and it is not followed`, options.urlHint);
    }
    let json: unknown;
    if (text.length > 0 && JSON_TYPE.test(contentType)) {
      try {
        json = JSON.parse(text);
      } catch {
        // A success whose JSON does not parse was cut or garbled on the way; the operations are safe to repeat. An
        // error answer keeps its status, and its text is read as it is.
        if (response.ok) {
          throw new RetryableFailure(new NetworkError(context, method, url, `HTTP ${response.status} with a ${contentType} body that is not valid JSON: ${vendorText(text)}`));
        }
      }
    }
    if (response.ok) {
      checkSuccess(request, response, text, json);
      return { status: response.status, json, text, contentType };
    }
    if (request.handle?.includes(response.status)) return { status: response.status, json, text, contentType };
    const { message, code } = options.readError(response.status, json, text);
    const hint = response.status === 401 || response.status === 403 ? options.authHint : undefined;
    const failure = new HttpError(context, method, url, response.status, vendorText(message), code, hint);
    const retryable = RETRYABLE_STATUSES.has(response.status) && (options.isRetryable?.(response.status, code) ?? true);
    if (retryable) throw new RetryableFailure(failure, parseRetryAfter(response.headers.get('retry-after'), now()));
    throw failure;
  }

  /** "polarity: HTTP 429 from GET https://..., retry 3 in 4.2 s (grant read ...)". */
  function retryLine(req: HttpRequest, failure: Error, attempts: number, delay: number): string {
    const what = failure instanceof HttpError ? `HTTP ${failure.status}`
      : failure instanceof TimeoutError ? 'no answer in time' : (/: ([A-Z][A-Z_]+):/.exec(failure.message)?.[1] ?? 'a network error');
    return `${req.context.vendor}: ${what} from ${req.method} ${printableUrl(req.url)}, retry ${attempts} in ${(delay / 1000).toFixed(1)} s (${req.context.operation})`;
  }

  return async function request(req: HttpRequest): Promise<HttpResponse> {
    // A 429 is the vendor pacing us, not a failure: it is bounded by the run's deadline, not by maxRetries.
    let lastHeard = now();
    // A wait this long, or one after a silence this long, is said on stderr: redacted, on one line.
    const sayWaiting = (delay: number, line: () => string) => {
      if (delay < PROGRESS_MIN_DELAY_MS && now() - lastHeard < PROGRESS_SILENCE_MS) return;
      lastHeard = now();
      progress(terminalText(redact(line(), options.secrets ?? [])));
    };
    const origin = originOf(req.url);
    // The hold this request set itself and has just waited out.
    let ownHold = 0;
    for (let retries = 0, attempts = 1; ; attempts++) {
      // Checked before every wait and every attempt (attempt() checks again after a wait).
      stopIfCancelled(req);
      // Another request to this host was told to wait: this one waits too (plus jitter, so the waiters do not all
      // return in the same instant), within the deadline; the attempt then says what the vendor answers.
      const held = pacing.waitFor(origin, now(), ownHold);
      if (held > 0) {
        const wait = Math.min(held + backoffDelay(0, settings), Math.max(0, deadline - now()));
        sayWaiting(wait, () => `${req.context.vendor}: waiting ${(wait / 1000).toFixed(1)} s before ${req.method} ${printableUrl(req.url)}: the vendor answered 429 to another request of this run (${req.context.operation})`);
        await sleep(wait);
      }
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
        else {
          ownHold = now() + delay;
          pacing.hold(origin, ownHold);
        }
        sayWaiting(delay, () => retryLine(req, error.final, attempts, delay));
        await sleep(delay);
      }
    }
  };
}
