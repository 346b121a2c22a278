/**
 * Bounded reads: a vendor that keeps answering more pages or items is stopped at a cap per scope, with a message that
 * names the vendor, the scope's read and the cap, instead of running out of memory or time.
 */
import * as http from 'http';
import { AddressInfo } from 'net';
import { DEFAULT_CONNECTIONS, DEFAULT_HTTP_SETTINGS } from '../../src/contract';
import { britive } from '../../src/vendors/britive';
import { kore } from '../../src/vendors/kore';
import { DEFAULT_PAGING_LIMITS, pagingLimits } from '../../src/vendors/paging';
import { openSession } from '../../src/vendors/session';

const settings = { ...DEFAULT_HTTP_SETTINGS, baseBackoffMs: 1, requestTimeoutMs: 2000, maxRetries: 1, deadlineMs: 120_000 };

/** A vendor answering every GET from `answer(path)`; counts what it was asked. */
async function endless(answer: (path: string) => unknown) {
  let asked = 0;
  const server = http.createServer((req, res) => {
    asked++;
    req.resume();
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer(req.url!)));
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    asked: () => asked,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

test('britive: a listing that claims count 1e15 and fills every page stops at the item cap', async () => {
  const vendor = await endless((path) => {
    const page = Number(/page=(\d+)/.exec(path)![1]);
    return { count: 1e15, page, size: 100, data: Array.from({ length: 100 }, (_, i) => ({ name: `p${page}-${i}`, type: 'role' })) };
  });
  const env = { BRITIVE_TENANT: vendor.url, BRITIVE_TOKEN: 'short-token-for-test' };
  try {
    const session = await openSession(britive, DEFAULT_CONNECTIONS.britive, settings, env, []);
    const error = await britive.read({ profileId: 'pap-1' }, session).catch((e) => e);
    expect(error.message).toMatch(/^britive: list the permissions of profile pap-1 failed: GET .*\/paps\/pap-1\/permissions\?page=1000&size=100 kept answering more after 1001 pages: the cap for one scope is 100000 items \(SAAS_PERMISSIONS_MAX_ITEMS raises it\)/);
    expect(vendor.asked()).toBe(DEFAULT_PAGING_LIMITS.maxItems / 100 + 1);
  } finally {
    await vendor.close();
  }
}, 60_000);

test('kore: a connector that always answers new entities stops at the page cap set in the environment', async () => {
  let next = 0;
  const vendor = await endless(() => Array.from({ length: 3 }, () => ({ _id: `fpe-${++next}`, entityId: `g${next}@example.com`, userIds: [] })));
  const env = { KORE_URL: vendor.url, KORE_JWT: 'header.payload.signature', SAAS_PERMISSIONS_MAX_PAGES: '50' };
  try {
    const session = await openSession(kore, DEFAULT_CONNECTIONS.kore, settings, env, []);
    const { listEntities } = await import('../../src/vendors/kore');
    const error = await listEntities(session, { botId: 'st-1', connectorId: 'fc-1' }, 'list the permission entities of connector fc-1').catch((e) => e);
    expect(error.message).toMatch(/^kore: list the permission entities of connector fc-1 failed: GET .* kept answering more after 50 pages: the cap for one scope is 50 pages \(SAAS_PERMISSIONS_MAX_PAGES raises it\); nothing is concluded from a partial read/);
    expect(vendor.asked()).toBe(50);
  } finally {
    await vendor.close();
  }
});

test('the caps default to 10,000 pages and 100,000 items, and a bad setting is refused naming the variable', () => {
  expect(pagingLimits({})).toEqual({ maxPages: 10_000, maxItems: 100_000 });
  expect(pagingLimits({ SAAS_PERMISSIONS_MAX_ITEMS: '5' })).toEqual({ maxPages: 10_000, maxItems: 5 });
  expect(() => pagingLimits({ SAAS_PERMISSIONS_MAX_PAGES: '1e3' })).toThrow(/SAAS_PERMISSIONS_MAX_PAGES must be a whole number above 0, got "1e3"/);
  expect(() => pagingLimits({ SAAS_PERMISSIONS_MAX_ITEMS: '0' })).toThrow(/SAAS_PERMISSIONS_MAX_ITEMS must be a whole number above 0/);
});
