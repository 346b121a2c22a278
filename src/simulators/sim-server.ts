/**
 * What every vendor simulator shares: an HTTP server on loopback, JSON bodies, a request log, a rolling-window
 * rate limiter, and fault injection so tests can make the next N matching requests fail in a chosen way.
 * Faults and state are reachable in-process and through a small control API under /__sim/ for other processes.
 */
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';

export interface SimRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly rawBody: string;
  /** Parsed JSON body; undefined when empty; the symbol INVALID_JSON when it does not parse. */
  readonly body: unknown;
}

export const INVALID_JSON = Symbol('invalid json');

export interface SimResponse {
  readonly status: number;
  readonly body?: unknown;
  readonly contentType?: string;
  readonly headers?: Record<string, string>;
}

export type FaultKind =
  | { kind: 'status'; status: number; retryAfter?: string; body?: unknown }
  | { kind: 'delay'; ms: number }
  | { kind: 'drop' }
  | { kind: 'malformed' }
  /** The change is applied, then the connection is cut before the answer is sent. */
  | { kind: 'lost' };

export type FaultSpec = FaultKind & {
  /** Only requests with this method match; any method when absent. */
  readonly method?: string;
  /** Only requests whose path contains this text match. */
  readonly pathIncludes?: string;
  /** How many matching requests get the fault. */
  readonly count: number;
};

export interface RequestRecord {
  readonly method: string;
  readonly path: string;
  readonly status: number | 'dropped' | 'delayed';
  readonly fault?: string;
  /** The request body as sent, so tests can see what a call asked for. */
  readonly body: string;
  /** When it arrived (ms since the epoch), so tests can see how calls were paced. */
  readonly at: number;
}

export interface RateLimit {
  readonly limit: number;
  readonly windowMs: number;
  /** Whether a 429 carries Retry-After (seconds until a slot frees). */
  readonly retryAfter: boolean;
}

/**
 * How the vendor's servers keep connections open between requests: no vendor documents it. `advertisedSeconds` is
 * the `Keep-Alive: timeout=` it sends, `idleCloseMs` when it really closes an idle connection (a load balancer may
 * cut sooner than the server behind it says), `close` answers every request with `Connection: close`.
 */
export interface KeepAliveMode {
  readonly advertisedSeconds?: number;
  readonly idleCloseMs?: number;
  readonly close?: boolean;
}

/** Node's own default, which the servers of most APIs match or exceed. */
const DEFAULT_KEEP_ALIVE: KeepAliveMode = { advertisedSeconds: 5, idleCloseMs: 5000 };

export abstract class SimulatorServer {
  readonly requests: RequestRecord[] = [];
  /** TCP (or TLS) connections clients opened, so tests can see whether a client reuses them. Reset by reset calls. */
  connections = 0;
  private keepAlive: KeepAliveMode = DEFAULT_KEEP_ALIVE;
  /**
   * The headers each logged request carried, kept beside the log rather than in it: the log is served as is by the
   * control API and printed by tests, and headers carry credentials.
   */
  private readonly headersByRecord = new WeakMap<RequestRecord, http.IncomingHttpHeaders>();
  private faults: Array<FaultSpec & { remaining: number }> = [];
  private rateLimits: RateLimit[] = [];
  private readonly served: number[] = [];
  private server?: http.Server | https.Server;
  url = '';
  /**
   * Answers the other way where the vendor's documentation is silent (each simulator lists which answers change), so
   * tests can run a lifecycle against both readings and no client behaviour rests on one guess. Survives reset().
   */
  alternative = false;

  constructor(readonly vendor: string) {}

  /** The vendor's own routing; called only after rate limits and faults let a request through. */
  protected abstract route(req: SimRequest): SimResponse;
  /** The vendor's shape for a 429. */
  protected abstract rateLimitedBody(): unknown;
  /** Asynchronous checks (a JWT signature) run before faults and routing; results are kept for route(). */
  protected async beforeRoute(_req: SimRequest): Promise<void> {}
  /**
   * Answers a request before faults and routing (Polytomic's replay of an idempotency key's first answer, its 409 for
   * a key in flight); undefined lets it through.
   */
  protected admit(_req: SimRequest): SimResponse | undefined { return undefined; }
  /**
   * Called once for every request admit() let through: with the answer the vendor logic (or a status fault, standing
   * for the vendor's own error) gave it, whether or not the client received it; undefined when it never reached the
   * vendor logic (dropped, rate limited).
   */
  protected settle(_req: SimRequest, _answer: SimResponse | undefined): void {}
  /** Forget all state and return to the seeded start. */
  abstract reset(): void;
  /** What the vendor holds now, in a form tests and the demo print. */
  abstract snapshot(): unknown;
  /**
   * The admin hooks (methods that change what the vendor holds, as its UI would) another process may call with
   * `POST /__sim/hooks/<name>` and the arguments as a JSON array: a user changes a simulator from a shell.
   */
  protected readonly hooks: readonly string[] = [];

  private callHook(name: string, args: unknown): SimResponse {
    if (!this.hooks.includes(name)) return { status: 404, body: { message: `unknown hook ${JSON.stringify(name)}; hooks: ${this.hooks.join(', ')}` } };
    if (!Array.isArray(args)) return { status: 400, body: { message: 'the body must be the hook\'s arguments as a JSON array' } };
    try {
      const result = (this as unknown as Record<string, (...a: unknown[]) => unknown>)[name](...args);
      return { status: 200, body: { result: result ?? null, state: this.snapshot() } };
    } catch (error) {
      return { status: 400, body: { message: (error as Error).message } };
    }
  }

  injectFault(spec: FaultSpec): void {
    this.faults.push({ ...spec, remaining: spec.count });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** Sets how connections are kept between requests (see KeepAliveMode); the default is Node's. */
  setKeepAlive(mode: KeepAliveMode): void {
    this.keepAlive = { ...DEFAULT_KEEP_ALIVE, ...mode };
    if (this.server) this.server.keepAliveTimeout = this.keepAlive.idleCloseMs!;
  }

  setRateLimits(limits: RateLimit[]): void {
    this.rateLimits = limits;
    this.served.length = 0;
  }

  private delayedInFlight = 0;

  /**
   * Resolves when every delayed request has been processed. A delayed request the client gave up on is still applied
   * when its delay ends, as a slow vendor would: a test must wait for it before reading the vendor's state or starting
   * its next run, or that late write lands in the middle of the next one.
   */
  async settled(): Promise<void> {
    // Polled on timers: a delayed request is applied synchronously right after its count drops, before any timer.
    while (this.delayedInFlight > 0) await new Promise((resolve) => setTimeout(resolve, 10));
  }

  /** Requests that reached the vendor logic (not control calls), optionally only those that changed something. */
  calls(filter?: { method?: string; pathIncludes?: string }): RequestRecord[] {
    return this.requests.filter((r) => (!filter?.method || r.method === filter.method) &&
      (!filter?.pathIncludes || r.path.includes(filter.pathIncludes)));
  }

  /** The headers a logged request arrived with (names in lower case), for tests that check what a client sends. */
  requestHeaders(record: RequestRecord): http.IncomingHttpHeaders | undefined {
    return this.headersByRecord.get(record);
  }

  /** Listens on loopback; with `tls` (a key and certificate in PEM) it serves HTTPS, as a vendor behind a private CA would. */
  async start(port = 0, host = '127.0.0.1', tls?: { key: string; cert: string }): Promise<string> {
    const listener = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    this.server = tls ? https.createServer(tls, listener) : http.createServer(listener);
    this.server.keepAliveTimeout = this.keepAlive.idleCloseMs!;
    this.server.on(tls ? 'secureConnection' : 'connection', () => { this.connections += 1; });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.url = `${tls ? 'https' : 'http'}://${host}:${address.port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  private takeFault(req: SimRequest): FaultSpec | undefined {
    const fault = this.faults.find((f) => f.remaining > 0 && (!f.method || f.method === req.method) &&
      (!f.pathIncludes || req.path.includes(f.pathIncludes)));
    if (fault) fault.remaining -= 1;
    return fault;
  }

  /** Answers 429 when any window is full; the request then counts against nothing. */
  private rateLimited(now: number): SimResponse | undefined {
    for (const limit of this.rateLimits) {
      const inWindow = this.served.filter((t) => now - t < limit.windowMs);
      if (inWindow.length >= limit.limit) {
        const freeInMs = limit.windowMs - (now - inWindow[0]);
        return {
          status: 429,
          body: this.rateLimitedBody(),
          headers: limit.retryAfter ? { 'Retry-After': String(Math.max(1, Math.ceil(freeInMs / 1000))) } : {},
        };
      }
    }
    this.served.push(now);
    const longest = Math.max(0, ...this.rateLimits.map((l) => l.windowMs));
    while (this.served.length > 0 && now - this.served[0] > longest) this.served.shift();
    return undefined;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks).toString('utf8');
    const arrived = Date.now();
    const url = new URL(req.url ?? '/', 'http://sim');
    let body: unknown;
    if (rawBody.length > 0) {
      try { body = JSON.parse(rawBody); } catch { body = INVALID_JSON; }
    }
    const simReq: SimRequest = { method: req.method ?? 'GET', path: url.pathname, query: url.searchParams, headers: req.headers, rawBody, body };

    if (simReq.path.startsWith('/__sim/')) return this.send(res, this.control(simReq));
    await this.beforeRoute(simReq);

    const admitted = this.admit(simReq);
    const fault = admitted ? undefined : this.takeFault(simReq);
    let recorded = false;
    const record = (status: RequestRecord['status']) => {
      if (recorded) return;
      const entry: RequestRecord = { method: simReq.method, path: simReq.path + url.search, status, fault: fault?.kind, body: rawBody, at: arrived };
      this.headersByRecord.set(entry, req.headers);
      this.requests.push(entry);
      recorded = true;
    };
    if (admitted) {
      record(admitted.status);
      return this.send(res, admitted);
    }
    if (fault?.kind === 'drop') {
      this.settle(simReq, undefined);
      record('dropped');
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'delay') {
      // Logged now: the client may give up and finish its run before the delay is over.
      record('delayed');
      this.delayedInFlight++;
      await new Promise((resolve) => setTimeout(resolve, fault.ms));
      this.delayedInFlight--;
    }
    if (fault?.kind === 'status') {
      record(fault.status);
      const answer: SimResponse = { status: fault.status, body: fault.body ?? this.rateLimitedBody(), headers: fault.retryAfter ? { 'Retry-After': fault.retryAfter } : {} };
      this.settle(simReq, answer);
      return this.send(res, answer);
    }
    const limited = this.rateLimited(Date.now());
    if (limited) {
      this.settle(simReq, undefined);
      record(429);
      return this.send(res, limited);
    }
    let response: SimResponse;
    try {
      response = this.route(simReq);
    } catch (error) {
      response = { status: 500, body: { message: `simulator error: ${(error as Error).message}` } };
    }
    this.settle(simReq, response);
    if (fault?.kind === 'lost') {
      record('dropped');
      req.socket.destroy();
      return;
    }
    record(response.status);
    if (fault?.kind === 'malformed') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end('{"data": [ this is not json');
      return;
    }
    this.send(res, response);
  }

  private control(req: SimRequest): SimResponse {
    const hook = /^\/__sim\/hooks\/([A-Za-z]+)$/.exec(req.path);
    if (hook && req.method === 'POST') return this.callHook(hook[1], req.body);
    switch (`${req.method} ${req.path}`) {
      case 'GET /__sim/state': return { status: 200, body: this.snapshot() };
      case 'GET /__sim/requests': return { status: 200, body: this.requests };
      case 'POST /__sim/faults': this.injectFault(req.body as FaultSpec); return { status: 204 };
      case 'POST /__sim/mode': this.alternative = (req.body as { alternative?: unknown } | undefined)?.alternative === true; return { status: 204 };
      case 'POST /__sim/rate-limits': this.setRateLimits(req.body as RateLimit[]); return { status: 204 };
      case 'POST /__sim/keep-alive': this.setKeepAlive((req.body ?? {}) as KeepAliveMode); return { status: 204 };
      case 'POST /__sim/reset':
        this.reset(); this.clearFaults(); this.setRateLimits([]); this.setKeepAlive({}); this.requests.length = 0; this.connections = 0;
        return { status: 204 };
      default: return { status: 404, body: { message: 'unknown control call' } };
    }
  }

  private send(res: http.ServerResponse, response: SimResponse): void {
    // Node writes its own Keep-Alive header from keepAliveTimeout unless the answer names the connection itself.
    const { close, advertisedSeconds, idleCloseMs } = this.keepAlive;
    const connection: Record<string, string> = close ? { Connection: 'close' }
      : advertisedSeconds !== undefined && advertisedSeconds * 1000 !== idleCloseMs
        ? { Connection: 'keep-alive', 'Keep-Alive': `timeout=${advertisedSeconds}` } : {};
    const headers: Record<string, string> = { ...connection, ...response.headers };
    if (response.body === undefined) {
      res.writeHead(response.status, headers);
      res.end();
      return;
    }
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    headers['Content-Type'] = response.contentType ?? (typeof response.body === 'string' ? 'text/plain' : 'application/json');
    res.writeHead(response.status, headers);
    res.end(text);
  }
}

export { contentTypeIs, matchPath, notFoundPage, resolveRoute } from './sim-routes';
export type { ResolvedRoute, RouteHandler, RouteTable } from './sim-routes';
