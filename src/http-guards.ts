/**
 * What the HTTP client refuses before or while it talks to a vendor: plain http:// to a host that is not this
 * machine (the credentials would travel in clear), an answer larger than the run may hold in memory, and a TLS
 * certificate no retry can make trusted. Kept apart from src/http.ts, which owns the request loop.
 */
import type { Response } from 'node-fetch';
import { ALLOW_HTTP_ENV, HttpSettings, MAX_RESPONSE_BYTES_ENV, isInsecureHttpUrl } from './contract';
import { ConfigurationError, ErrorContext, UnexpectedAnswerError, printableUrl } from './errors';

/** The answer size limit: the provider's setting, unless the environment overrides it for every provider. */
export function responseLimit(settings: HttpSettings, env: NodeJS.ProcessEnv): number {
  const raw = env[MAX_RESPONSE_BYTES_ENV];
  if (raw === undefined || raw === '') return settings.maxResponseBytes;
  const bytes = Number(raw);
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ConfigurationError(`${MAX_RESPONSE_BYTES_ENV} must be a whole number of bytes above 0, got ${JSON.stringify(raw)}`);
  }
  return bytes;
}

/** Refuses, before anything is sent, a plain http:// URL to a host other than loopback unless the user allowed it. */
export function checkTransport(context: ErrorContext, method: string, url: string, settings: HttpSettings, env: NodeJS.ProcessEnv): void {
  if (!isInsecureHttpUrl(url) || settings.allowInsecureHttp || env[ALLOW_HTTP_ENV] === '1') return;
  throw new ConfigurationError(`${context.vendor}: ${context.operation} refused: ${method} ${printableUrl(url)} is plain http to a host ` +
    `other than this machine, which would send the credentials in clear; nothing was sent. Use https, or allow it ` +
    `explicitly with the provider's allowInsecureHttp: true (or ${ALLOW_HTTP_ENV}=1 in the environment of the terraform process)`);
}

/**
 * Reads an answer's body, at most `limit` bytes (decompressed): a larger one, announced by Content-Length or found
 * while reading, stops the read at once (`stop` closes the connection), so an endless body cannot grow memory.
 */
export async function readBoundedBody(
  response: Response, limit: number, stop: () => void, context: ErrorContext, method: string, url: string,
): Promise<string> {
  const tooLarge = (size: string) => new UnexpectedAnswerError(context, method, url,
    `answered HTTP ${response.status} with a body of ${size}, more than the limit of ${limit} bytes; it was not read further ` +
    `and is not retried. If the vendor's answer is really this large, raise the provider's maxResponseBytes ` +
    `(or ${MAX_RESPONSE_BYTES_ENV})`);
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > limit) {
    stop();
    throw tooLarge(`${declared} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      stop();
      throw tooLarge(`over ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size).toString('utf8');
}

/** Node's codes for a certificate that could not be verified: a private CA, an expired certificate, another name. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID',
  'ERR_TLS_CERT_ALTNAME_FORMAT', 'HOSTNAME_MISMATCH', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'CERT_REVOKED', 'INVALID_CA', 'CERT_CHAIN_TOO_LONG', 'PATH_LENGTH_EXCEEDED', 'INVALID_PURPOSE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
]);

/** What to say about a certificate error, which no retry can change; undefined for any other failure. */
export function certificateAdvice(code: string | undefined): string | undefined {
  if (!code || !CERTIFICATE_CODES.has(code)) return undefined;
  return `the server's TLS certificate could not be verified, which retrying cannot change (not retried). For a private CA ` +
    `or a TLS-inspecting proxy, export NODE_EXTRA_CA_CERTS=<path of its PEM bundle> in the environment of the terraform ` +
    `process; otherwise check the URL and the server's certificate (expired, or issued for another name)`;
}
