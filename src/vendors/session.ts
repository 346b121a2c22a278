/** Opens a session with a vendor: credentials from the environment, and the HTTP client every call goes through. */
import { Connection, HttpSettings } from '../contract';
import { redactAndTruncate } from '../errors';
import { backoffDelay, createHttpClient } from '../http';
import { pagingLimits } from './paging';
import { VendorClient, VendorSession } from './vendor';

/**
 * `secrets` collects the credentials the vendor client read, so the caller redacts its own messages with them too.
 * `signal` stops the session before its next request (the handler's terraform process is gone).
 */
export async function openSession(
  client: VendorClient<any, any, any, any>, connection: Connection, settings: HttpSettings, env: NodeJS.ProcessEnv,
  secrets: string[], signal?: AbortSignal,
): Promise<VendorSession> {
  const limits = pagingLimits(env);
  const connected = await client.connect(connection, env);
  // The command-line tool opens a session per scope: each credential is listed once, however often it is read.
  for (const secret of connected.secrets) if (!secrets.includes(secret)) secrets.push(secret);
  const request = createHttpClient({
    settings,
    readError: client.readError,
    isRetryable: client.isRetryable,
    authHint: connected.authHint,
    urlHint: `Check ${connected.urlSource}: an answer that is not the vendor's API (a login page, a proxy, another host) came back`,
    secrets,
    signal,
    env,
  });
  return {
    request, baseUrl: connected.baseUrl, headers: connected.headers, urlSource: connected.urlSource,
    limits,
    excerpt: (text) => redactAndTruncate(text, secrets, 300),
    pause: (attempt, atLeastMs = 0) => new Promise((resolve) => setTimeout(resolve, Math.max(atLeastMs, backoffDelay(attempt, settings)))),
  };
}
