import * as http from 'http';
import { AddressInfo } from 'net';
import { DEFAULT_HTTP_SETTINGS, HttpSettings } from '../../src/contract';
import { CancelledError, HttpError, NetworkError, TimeoutError, UnexpectedAnswerError } from '../../src/errors';
import { RatePacing, backoffDelay, createHttpClient, parseRetryAfter } from '../../src/http';

type Scripted = { status: number; body?: string; headers?: Record<string, string>; delayMs?: number };

/** A server answering from a script, one entry per request, repeating the last. */
async function scriptedServer(script: Scripted[]) {
  let count = 0;
  const server = http.createServer(async (req, res) => {
    for await (const _ of req) { /* drain */ }
    const step = script[Math.min(count++, script.length - 1)];
    if (step.delayMs) await new Promise((r) => setTimeout(r, step.delayMs));
    res.writeHead(step.status, { 'Content-Type': 'application/json', ...step.headers });
    res.end(step.body ?? '');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`;
  return { url, requests: () => count, close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }) };
}

const context = { vendor: 'testvendor', operation: 'grant things' };
const JSON_BODY = { body: 'json' } as const;
const ANY_BODY = { body: 'empty-or-json' } as const;
const readError = (_s: number, body: unknown, text: string) => ({ message: (body as { message?: string })?.message ?? text, code: (body as { code?: string })?.code });

function client(settings: Partial<HttpSettings> = {}, extra: {
  sleeps?: number[]; isRetryable?: (s: number, c?: string) => boolean; secrets?: string[]; signal?: AbortSignal;
  progress?: string[]; env?: NodeJS.ProcessEnv;
} = {}) {
  return createHttpClient({
    progress: (line) => extra.progress?.push(line),
    env: extra.env ?? {},
    secrets: extra.secrets,
    signal: extra.signal,
    urlHint: 'Check TEST_URL',
    settings: { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, ...settings },
    readError,
    isRetryable: extra.isRetryable,
    authHint: 'Check TEST_TOKEN',
    sleep: async (ms) => { extra.sleeps?.push(ms); },
  });
}

describe('parseRetryAfter', () => {
  test('reads seconds, an HTTP date, and rejects garbage', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:01 GMT', 4000)).toBe(0);
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
    expect(parseRetryAfter(null, 0)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  test('grows exponentially from the base, capped, with full jitter', () => {
    const s = { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 100, maxBackoffMs: 1000 };
    expect(backoffDelay(0, s, () => 0.999)).toBe(99);
    expect(backoffDelay(3, s, () => 0.999)).toBe(799);
    expect(backoffDelay(10, s, () => 0.999)).toBe(999);
    expect(backoffDelay(10, s, () => 0)).toBe(0);
  });
});

describe('createHttpClient', () => {
  test('retries 503 and 502 then returns the success', async () => {
    const server = await scriptedServer([{ status: 503 }, { status: 502 }, { status: 200, body: '{"ok":true}' }]);
    const response = await client()({ method: 'GET', url: server.url, success: JSON_BODY, context });
    expect(response.json).toEqual({ ok: true });
    expect(server.requests()).toBe(3);
    await server.close();
  });

  test('does not retry a 400, and the error names vendor, operation, status and the vendor\'s text', async () => {
    const server = await scriptedServer([{ status: 400, body: '{"message":"bad field","code":"E42"}' }]);
    const error = await client()({ method: 'POST', url: server.url, body: {}, success: ANY_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toBe(`testvendor: grant things failed: POST ${server.url} answered HTTP 400 (E42): bad field`);
    expect(server.requests()).toBe(1);
    await server.close();
  });

  test('401 carries the hint of which credential to check', async () => {
    const server = await scriptedServer([{ status: 401, body: '{"message":"nope"}' }]);
    const error = await client()({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 401: nope\. Check TEST_TOKEN$/);
    await server.close();
  });

  test('honours Retry-After, with jitter on top', async () => {
    const sleeps: number[] = [];
    const server = await scriptedServer([{ status: 429, headers: { 'Retry-After': '2' } }, { status: 200, body: '{}' }]);
    await client({ baseBackoffMs: 100 }, { sleeps })({ method: 'GET', url: server.url, success: JSON_BODY, context });
    expect(sleeps).toHaveLength(1);
    expect(sleeps[0]).toBeGreaterThanOrEqual(2000);
    expect(sleeps[0]).toBeLessThan(2100);
    await server.close();
  });

  test('one 429 budget per host: a 429 to one request holds every request of the process to that host', async () => {
    // Two grants' clients on one clock, as in the per-run agent: the first is told to wait 3 s.
    let clock = 1_000_000;
    const pacing = new RatePacing();
    const sleeps: Record<string, number[]> = { first: [], second: [], other: [] };
    const progress: string[] = [];
    const make = (name: string) => createHttpClient({
      settings: { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 100 }, readError, env: {}, pacing, now: () => clock,
      progress: (line) => progress.push(line),
      sleep: async (ms) => { sleeps[name].push(ms); clock += ms; },
    });
    const limited = await scriptedServer([{ status: 429, headers: { 'Retry-After': '3' } }, { status: 200, body: '{}' }]);
    const elsewhere = await scriptedServer([{ status: 200, body: '{}' }]);
    await make('first')({ method: 'GET', url: limited.url, success: JSON_BODY, context });
    expect(sleeps.first).toHaveLength(1);
    // Sent 2 s before the hold runs out (the clock is rewound): it waits those 2 s (plus jitter), without a 429 of its own.
    clock -= 2000;
    await make('second')({ method: 'GET', url: limited.url, success: JSON_BODY, context });
    expect(sleeps.second).toHaveLength(1);
    expect(sleeps.second[0]).toBeGreaterThanOrEqual(2000);
    expect(sleeps.second[0]).toBeLessThan(2100);
    expect(limited.requests()).toBe(3);
    expect(progress.some((l) => l.includes('the vendor answered 429 to another request of this run'))).toBe(true);
    // Another host is not held.
    clock -= 2000;
    await make('other')({ method: 'GET', url: elsewhere.url, success: JSON_BODY, context });
    expect(sleeps.other).toHaveLength(0);
    await limited.close();
    await elsewhere.close();
  });

  test('429s do not use up maxRetries; other failures do', async () => {
    const server = await scriptedServer([...Array(5).fill({ status: 429 }), { status: 200, body: '{}' }]);
    await expect(client({ maxRetries: 1 })({ method: 'GET', url: server.url, success: JSON_BODY, context })).resolves.toMatchObject({ status: 200 });
    await server.close();
    const failing = await scriptedServer([{ status: 500, body: '{"message":"boom"}' }]);
    const error = await client({ maxRetries: 2 })({ method: 'GET', url: failing.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 500: boom \(gave up after 3 attempts: the retry limit \(maxRetries 2\) was reached\)/);
    expect(failing.requests()).toBe(3);
    await failing.close();
  });

  test('a vendor can veto a retry (Britive maintenance)', async () => {
    const server = await scriptedServer([{ status: 503, body: '{"message":"maintenance","code":"MAINT0001"}' }]);
    const error = await client({}, { isRetryable: (_s, code) => code !== 'MAINT0001' })({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 503 \(MAINT0001\): maintenance$/);
    expect(server.requests()).toBe(1);
    await server.close();
  });

  test('a request longer than the timeout is a TimeoutError, retried', async () => {
    const server = await scriptedServer([{ status: 200, body: '{}', delayMs: 300 }]);
    const error = await client({ requestTimeoutMs: 50, maxRetries: 1 })({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(error.message).toMatch(/timed out \(no answer within 50 ms\) \(gave up after 2 attempts/);
    expect(server.requests()).toBe(2);
    await server.close();
  });

  test('the run\'s deadline bounds all retries', async () => {
    const server = await scriptedServer([{ status: 429, headers: { 'Retry-After': '60' } }]);
    const error = await client({ deadlineMs: 1000 })({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/HTTP 429.*the run's deadline of 1000 ms would pass before the next try/);
    await server.close();
  });

  test('a refused connection is a NetworkError naming the code, retried', async () => {
    const error = await client({ maxRetries: 2 })({ method: 'GET', url: 'http://127.0.0.1:9/x', success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^testvendor: grant things failed: GET http:\/\/127\.0\.0\.1:9\/x: ECONNREFUSED.*gave up after 3 attempts/);
  });

  test('a JSON answer that does not parse (cut on the way) is retried, since every operation is safe to repeat', async () => {
    const server = await scriptedServer([{ status: 200, body: '{"data": [' }, { status: 200, body: '{"data":[]}' }]);
    await expect(client()({ method: 'GET', url: server.url, success: JSON_BODY, context })).resolves.toMatchObject({ json: { data: [] } });
    expect(server.requests()).toBe(2);
    await server.close();
  });

  test('an error answer whose JSON does not parse keeps its status and is not retried', async () => {
    const server = await scriptedServer([{ status: 400, body: '{"message": "bad' }, { status: 200, body: '{"data":[]}' }]);
    const error = await client()({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.message).toMatch(/HTTP 400.*\{"message": "bad/);
    expect(server.requests()).toBe(1);
    await server.close();
  });

  test('a 204 with no body is a success with no JSON', async () => {
    const server = await scriptedServer([{ status: 204 }]);
    await expect(client()({ method: 'POST', url: server.url, body: {}, success: ANY_BODY, context })).resolves.toEqual({ status: 204, json: undefined, text: '', contentType: 'application/json' });
    await server.close();
  });

  test('a redirect is never followed: it fails at once, naming where it pointed, and the other host sees nothing', async () => {
    const elsewhere = await scriptedServer([{ status: 200, body: '{"granted":true}' }]);
    const server = await scriptedServer([{ status: 302, headers: { Location: elsewhere.url } }]);
    const error = await client()({ method: 'PUT', url: server.url, headers: { auth: 'jwt-value' }, body: {}, success: ANY_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedAnswerError);
    expect(error.message).toBe(`testvendor: grant things failed: PUT ${server.url} answered HTTP 302, a redirect to ${elsewhere.url}; the API does not redirect and it is not followed. Check TEST_URL`);
    expect(server.requests()).toBe(1);
    expect(elsewhere.requests()).toBe(0);
    await Promise.all([server.close(), elsewhere.close()]);
  });

  test('a 200 HTML page (a login page in front of the API) is not a success, and is not retried', async () => {
    const server = await scriptedServer([{ status: 200, body: '<html><body>Sign in</body></html>', headers: { 'Content-Type': 'text/html; charset=utf-8' } }]);
    for (const success of [JSON_BODY, ANY_BODY]) {
      const error = await client()({ method: 'POST', url: server.url, body: {}, success, context }).catch((e) => e);
      expect(error).toBeInstanceOf(UnexpectedAnswerError);
      expect(error.message).toMatch(/answered HTTP 200 with a body of type text\/html; charset=utf-8 where the vendor answers (JSON|no body or JSON): <html><body>Sign in<\/body><\/html>\. Check TEST_URL$/);
    }
    expect(server.requests()).toBe(2);
    await server.close();
  });

  test('an empty 200 where JSON is documented fails; a status other than the documented one fails', async () => {
    const server = await scriptedServer([{ status: 200 }]);
    const empty = await client()({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(empty.message).toMatch(/answered HTTP 200 with an empty body where the vendor answers JSON/);
    const status = await client()({ method: 'POST', url: server.url, success: { statuses: [204], body: 'empty-or-json' }, context }).catch((e) => e);
    expect(status.message).toMatch(/answered HTTP 200 where the vendor documents 204/);
    await server.close();
  });

  test('a vendor text is redacted before it is cut to length, so no part of an echoed secret survives', async () => {
    const secret = 'tok_9f8e7d6c5b4a39281706';
    const body = JSON.stringify({ message: `${'x'.repeat(485)} token ${secret} rejected` });
    const server = await scriptedServer([{ status: 400, body }]);
    const error = await client({}, { secrets: [secret] })({ method: 'GET', url: server.url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).not.toContain(secret.slice(0, 6));
    expect(error.message).toMatch(/more characters\)/);
    await server.close();
  });

  test('an aborted signal stops the client before its next request, also in the middle of a backoff', async () => {
    const server = await scriptedServer([{ status: 429, headers: { 'Retry-After': '30' } }]);
    const controller = new AbortController();
    const pending = createHttpClient({ settings: { ...DEFAULT_HTTP_SETTINGS }, readError, signal: controller.signal })({ method: 'GET', url: server.url, success: JSON_BODY, context });
    await new Promise((r) => setTimeout(r, 200));
    const started = Date.now();
    controller.abort('terraform is gone');
    const error = await pending.catch((e) => e);
    expect(error).toBeInstanceOf(CancelledError);
    expect(error.message).toMatch(/stopped at GET .*: terraform is gone/);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(server.requests()).toBe(1);
    await expect(createHttpClient({ settings: DEFAULT_HTTP_SETTINGS, readError, signal: controller.signal })({ method: 'GET', url: server.url, success: JSON_BODY, context }))
      .rejects.toBeInstanceOf(CancelledError);
    expect(server.requests()).toBe(1);
    await server.close();
  });
});
