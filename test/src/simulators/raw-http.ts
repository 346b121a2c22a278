/**
 * What the conformance suites share: simulators started once per file and reset before each test, and raw requests
 * through Node's fetch whose answer keeps the status, content type and exact text, so a test can tell "no body" from
 * "empty JSON" and the proxy's HTML page from the vendor's error.
 */
import { Simulators, startSimulators } from '../../../src/simulators';

export interface Answer {
  readonly status: number;
  /** The Content-Type header without parameters; '' when absent. */
  readonly contentType: string;
  readonly headers: Headers;
  readonly text: string;
  /** The parsed body; undefined when the body is empty or not JSON. */
  readonly json: any;
}

export async function call(url: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
  return { status: response.status, contentType, headers: response.headers, text, json };
}

/** The page a web server or reverse proxy answers for a path the vendor does not serve. */
export const PROXY_NOT_FOUND = '<html><head><title>404 Not Found</title></head><body><center><h1>404 Not Found</h1></center><hr><center>nginx</center></body></html>';

/** Asserts the proxy's 404: HTML, never a body a client could read as the vendor saying "no such object". */
export function expectProxyNotFound(answer: Answer): void {
  expect({ status: answer.status, contentType: answer.contentType, text: answer.text })
    .toEqual({ status: 404, contentType: 'text/html', text: PROXY_NOT_FOUND });
}

/** Starts the four simulators for the file and returns a getter; each test starts from the seeded state. */
export function useSimulators(): () => Simulators {
  let sims: Simulators | undefined;
  beforeAll(async () => { sims = await startSimulators(); });
  afterAll(async () => { await sims?.stop(); });
  beforeEach(() => {
    for (const s of [sims!.polarity, sims!.britive, sims!.kore, sims!.polytomic]) {
      s.reset(); s.clearFaults(); s.setRateLimits([]); s.requests.length = 0;
    }
  });
  return () => sims!;
}
