/**
 * What the HTTP client refuses: answers larger than the limit (announced or endless), certificates no retry can make
 * trusted, and plain http to a host other than this machine; and the progress line it prints while it retries.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as os from 'os';
import * as path from 'path';
import { DEFAULT_HTTP_SETTINGS, HttpSettings } from '../../src/contract';
import { ConfigurationError, NetworkError, UnexpectedAnswerError } from '../../src/errors';
import { createHttpClient } from '../../src/http';
import { certificateAdvice } from '../../src/http-guards';
import { makeTestCertificates } from '../../src/simulators/certificates';

const context = { vendor: 'testvendor', operation: 'read things' };
const JSON_BODY = { body: 'json' } as const;
const readError = (_s: number, _b: unknown, text: string) => ({ message: text });

function client(settings: Partial<HttpSettings> = {}, extra: { env?: NodeJS.ProcessEnv; progress?: string[]; secrets?: string[] } = {}) {
  return createHttpClient({
    settings: { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, maxRetries: 3, ...settings },
    readError,
    env: extra.env ?? {},
    secrets: extra.secrets,
    progress: (line) => extra.progress?.push(line),
    sleep: async () => undefined,
  });
}

async function listen(server: http.Server | https.Server, scheme: string) {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

describe('answer size limit', () => {
  test('an endless body is read only to the limit, fails naming vendor, URL, limit and setting, and is not retried', async () => {
    let requests = 0;
    let written = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (!res.destroyed && res.write(chunk)) written += chunk.length;
        if (!res.destroyed) res.once('drain', pump);
      };
      pump();
    });
    const { url, close } = await listen(server, 'http');
    const heapBefore = process.memoryUsage().heapUsed;
    const error = await client({ maxResponseBytes: 1024 * 1024 })({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(UnexpectedAnswerError);
    expect(error.message).toBe(`testvendor: read things failed: GET ${url} answered HTTP 200 with a body of over 1048576 bytes, more than the limit ` +
      'of 1048576 bytes; it was not read further and is not retried. If the vendor\'s answer is really this large, raise the provider\'s ' +
      'maxResponseBytes (or SAAS_PERMISSIONS_MAX_RESPONSE_BYTES)');
    expect(requests).toBe(1);
    await new Promise((r) => setTimeout(r, 200));
    const sentAfter = written;
    await new Promise((r) => setTimeout(r, 200));
    // The connection was closed: the server cannot write on, and memory did not grow with what it tried to send.
    expect(written).toBe(sentAfter);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    await close();
  });

  test('a Content-Length above the limit fails before reading; the environment variable overrides the setting', async () => {
    const body = JSON.stringify({ data: 'x'.repeat(5000) });
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
    const { url, close } = await listen(server, 'http');
    const error = await client({ maxResponseBytes: 4096 })({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/answered HTTP 200 with a body of 5011 bytes, more than the limit of 4096 bytes/);
    expect(requests).toBe(1);
    const allowed = await client({ maxResponseBytes: 4096 }, { env: { SAAS_PERMISSIONS_MAX_RESPONSE_BYTES: '10000' } })({ method: 'GET', url, success: JSON_BODY, context });
    expect((allowed.json as { data: string }).data).toHaveLength(5000);
    const lowered = await client({}, { env: { SAAS_PERMISSIONS_MAX_RESPONSE_BYTES: '100' } })({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    expect(lowered.message).toMatch(/more than the limit of 100 bytes/);
    expect(() => client({}, { env: { SAAS_PERMISSIONS_MAX_RESPONSE_BYTES: '16MB' } })).toThrow(ConfigurationError);
    await close();
  });

  test('an error answer is bounded too', async () => {
    const server = http.createServer((_req, res) => { res.writeHead(500, { 'Content-Type': 'text/plain' }); res.end('e'.repeat(10_000)); });
    const { url, close } = await listen(server, 'http');
    const error = await client({ maxResponseBytes: 1000 })({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    expect(error.message).toMatch(/answered HTTP 500 with a body of (10000|over 1000) bytes, more than the limit of 1000 bytes/);
    await close();
  });
});

describe('certificate errors', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-'));
  const certs = makeTestCertificates(dir);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('a certificate from an unknown CA fails at once, naming NODE_EXTRA_CA_CERTS, without a retry', async () => {
    let handshakes = 0;
    const server = https.createServer({ key: certs.key, cert: certs.cert }, (_req, res) => res.end('{}'));
    server.on('connection', () => handshakes++);
    const { url, close } = await listen(server, 'https');
    const progress: string[] = [];
    const error = await client({ maxRetries: 5 }, { progress })({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(NetworkError);
    expect(error.message).toMatch(/^testvendor: read things failed: GET https:\/\/127\.0\.0\.1:\d+\/x: UNABLE_TO_VERIFY_LEAF_SIGNATURE: .*not retried.*export NODE_EXTRA_CA_CERTS=<path of its PEM bundle>/);
    expect(handshakes).toBe(1);
    expect(progress).toEqual([]);
    await close();
  });

  test('every certificate verdict Node gives is advice, never a retry; other network failures are not', () => {
    for (const code of ['CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'HOSTNAME_MISMATCH']) {
      expect(certificateAdvice(code)).toMatch(/NODE_EXTRA_CA_CERTS/);
    }
    for (const code of ['ECONNRESET', 'ECONNREFUSED', 'EPROTO', undefined]) expect(certificateAdvice(code)).toBeUndefined();
  });

  test('a certificate for another name fails at once, with the same advice', async () => {
    let handshakes = 0;
    const server = https.createServer({ key: certs.key, cert: certs.cert }, (_req, res) => res.end('{}'));
    server.on('connection', () => handshakes++);
    const { url, close } = await listen(server, 'https');
    const trusting = createHttpClient({
      settings: { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, maxRetries: 5 }, readError, env: {}, sleep: async () => undefined, progress: () => undefined,
    });
    // Trusted CA (as NODE_EXTRA_CA_CERTS would make it), but the certificate is for 127.0.0.1, not localhost.
    const ca = fs.readFileSync(certs.ca);
    const original = https.globalAgent.options.ca;
    https.globalAgent.options.ca = ca;
    try {
      const error = await trusting({ method: 'GET', url: url.replace('127.0.0.1', 'localhost'), success: JSON_BODY, context }).catch((e) => e);
      expect(error.message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID: .*not retried.*NODE_EXTRA_CA_CERTS/);
      expect(handshakes).toBe(1);
    } finally {
      https.globalAgent.options.ca = original;
    }
    await close();
  });
});

describe('plain http', () => {
  test('to a host other than loopback is refused before anything is sent, unless allowed', async () => {
    let requests = 0;
    const server = http.createServer((_req, res) => { requests++; res.writeHead(200, { 'Content-Type': 'application/json' }); res.end('{}'); });
    const { url, close } = await listen(server, 'http');
    // 0.0.0.0 reaches this machine on Linux, but is not a loopback address: it stands for any other host here.
    const outside = url.replace('127.0.0.1', '0.0.0.0');
    const error = await client()({ method: 'GET', url: outside, success: JSON_BODY, context }).catch((e) => e);
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toBe(`testvendor: read things refused: GET ${outside} is plain http to a host other than this machine, which would send ` +
      'the credentials in clear; nothing was sent. Use https, or allow it explicitly with the provider\'s allowInsecureHttp: true ' +
      '(or SAAS_PERMISSIONS_ALLOW_HTTP=1 in the environment of the terraform process)');
    expect(requests).toBe(0);
    await client({ allowInsecureHttp: true })({ method: 'GET', url: outside, success: JSON_BODY, context });
    await client({}, { env: { SAAS_PERMISSIONS_ALLOW_HTTP: '1' } })({ method: 'GET', url: outside, success: JSON_BODY, context });
    expect(requests).toBe(2);
    for (const loopback of [url, url.replace('127.0.0.1', 'localhost')]) {
      await client()({ method: 'GET', url: loopback, success: JSON_BODY, context });
    }
    expect(requests).toBe(4);
    await close();
  });
});

describe('progress while retrying', () => {
  test('a long wait prints one redacted, escaped line naming vendor, status, URL, attempt and delay', async () => {
    const secret = 'tok_4f3e2d1c0b9a';
    let requests = 0;
    const server = http.createServer((_req, res) => {
      requests++;
      res.writeHead(requests < 3 ? 429 : 200, { 'Content-Type': 'application/json', ...(requests < 3 ? { 'Retry-After': '4' } : {}) });
      res.end('{}');
    });
    const { url, close } = await listen(server, 'http');
    const progress: string[] = [];
    await client({}, { progress, secrets: [secret] })({ method: 'GET', url, success: JSON_BODY, context: { vendor: 'polarity', operation: `grant \u001b]0;owned\u0007 ${secret}` } });
    expect(progress).toHaveLength(2);
    expect(progress[0]).toMatch(new RegExp(`^polarity: HTTP 429 from GET ${url.replace(/[.]/g, '\\.')}, retry 1 in 4\\.\\d s \\(grant \\\\x1b\\]0;owned\\\\x07 \\[REDACTED\\]\\)$`));
    expect(progress[1]).toMatch(/, retry 2 in 4\.\d s/);
    await close();
  });

  test('short waits print nothing until the request has been silent for 5 s', async () => {
    let clock = 0;
    const server = http.createServer((_req, res) => { res.writeHead(503, { 'Content-Type': 'application/json' }); res.end('{}'); });
    const { url, close } = await listen(server, 'http');
    const progress: string[] = [];
    const request = createHttpClient({
      settings: { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, maxBackoffMs: 1, maxRetries: 8 }, readError, env: {},
      progress: (line) => progress.push(line), now: () => clock, sleep: async () => { clock += 2000; },
    });
    await request({ method: 'GET', url, success: JSON_BODY, context }).catch((e) => e);
    // Sleeps of 0-1 ms, each counted as 2 s by the fake clock: a line at the 5th second of silence, then again.
    expect(progress.map((l) => l.replace(/ in .*/, ''))).toEqual([`testvendor: HTTP 503 from GET ${url}, retry 4`, `testvendor: HTTP 503 from GET ${url}, retry 7`]);
    await close();
  });
});
