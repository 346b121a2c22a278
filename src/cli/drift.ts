/**
 * The drift report: every grant the state holds, read back at its vendor with the settings apply would use, one read
 * per scope (a Britive profile, a Kore entity, a Polarity integration, the Polytomic policies), compared with what
 * the last apply declared. Only declared fields compare (a field the vendor adds is never drift).
 */
import pLimit from 'p-limit';
import { DEFAULT_HTTP_SETTINGS } from '../contract';
import { redact } from '../errors';
import { requireTrusted } from '../stored-settings';
import { VENDOR_CLIENTS } from '../vendors';
import { openSession } from '../vendors/session';
import { ScopeRead, VendorSession } from '../vendors/vendor';
import { withExpiry } from './expiry';
import { StackProvider, StackView, StateGrant, providerKey } from './stack';
import { VENDOR_VIEWS } from './vendors';
import { Fields, HeldGrant } from './vendors/view';

/** Every status a grant can have: the one place that lists them (summary keys, table, exit code). */
export const STATUSES = ['in-sync', 'missing', 'changed', 'unmanaged', 'unknown', 'expired'] as const;
export type DriftStatus = typeof STATUSES[number];
/** Statuses that are drift: the vendor differs from the last apply (exit 2). `unknown` is not known to be drift. */
export const DRIFT_STATUSES: readonly DriftStatus[] = ['missing', 'changed', 'unmanaged', 'expired'];

export interface DriftEntry {
  vendor: string;
  /** The provider construct's path (two tenants of one vendor stay apart). */
  provider: string | null;
  construct: string | null;
  address: string | null;
  identity: Fields;
  status: DriftStatus;
  declared: Fields | null;
  actual: Fields | null;
  detail: string;
  /** When the grant ends (RFC 3339); only on grants that have an expiry. */
  expiresAt?: string;
  fixed?: boolean;
  /** On `unmanaged` entries: whether `--prune` may remove it (see prunable()). */
  prunable?: boolean;
}

/** An unmanaged grant, with what pruning it takes. */
export interface UnmanagedGrant { readonly entry: DriftEntry; readonly held: HeldGrant; readonly provider: StackProvider; readonly scope: unknown }

export interface DriftOptions {
  readonly unmanaged: boolean;
  readonly secrets: string[];
  /** When every read must be done (ms since the epoch); scopes not read by then are `unknown`. */
  readonly deadlineAt?: number;
  /** Polytomic policies prune may delete, by name (a whole policy is never deleted otherwise). */
  readonly prunePolicies?: readonly string[];
}

/**
 * Whether prune may remove an unmanaged grant, and why not: another stack's state could declare what this one does
 * not, unless the provider says its scopes are this stack's alone; and a whole Polytomic policy goes only by name.
 */
export function prunable(vendor: string, provider: StackProvider, identity: Fields, prunePolicies: readonly string[]): { ok: boolean; why: string } {
  if (vendor === 'polytomic') {
    return prunePolicies.includes(String(identity.name))
      ? { ok: true, why: 'named by --prune-policy' }
      : { ok: false, why: 'a whole Polytomic policy: prune deletes one only when named with --prune-policy' };
  }
  return provider.exclusiveScope
    ? { ok: true, why: 'the provider has exclusiveScope' }
    : { ok: false, why: `another stack may declare it: prune removes only in scopes of a provider with exclusiveScope: true (${provider.path} has not)` };
}

export interface DriftResult {
  readonly entries: DriftEntry[];
  readonly unmanaged: UnmanagedGrant[];
  /** Scopes read, and scopes that could not be read (a provider that could not connect counts its scopes). */
  readonly readOk: number;
  readonly readFailed: number;
}

/** How many scopes are read at once, over all providers. */
const CONCURRENCY = 8;

/**
 * A provider's way to the vendor: a fresh session per scope or repair, each with its own deadline (a session's
 * deadline is a handler run's, and a report may take longer than one); or why the provider cannot connect.
 */
export type ProviderSessions = Map<string, { readonly open: (signal?: AbortSignal) => Promise<VendorSession> }>;

/** One opener per provider, tried once here so that a provider that cannot connect (credentials missing) is known. */
export async function openSessions(stack: StackView, env: NodeJS.ProcessEnv, secrets: string[]): Promise<ProviderSessions> {
  const sessions: ProviderSessions = new Map();
  for (const [key, provider] of stack.providers) {
    const open = (signal?: AbortSignal) => {
      // Settings found only in state never receive a credential unconfirmed: state is not configuration.
      requireTrusted(provider.vendor, provider.path, { ...provider.settings, unconfirmed: provider.unconfirmed }, env, 'reading its grants');
      return openSession(VENDOR_CLIENTS[provider.vendor], provider.settings.connection, { ...DEFAULT_HTTP_SETTINGS, ...provider.settings.http }, env, secrets, signal);
    };
    try {
      await open();
      sessions.set(key, { open });
    } catch (error) {
      const reason = (error as Error).message;
      sessions.set(key, { open: () => Promise.reject(new Error(reason)) });
    }
  }
  return sessions;
}

function sortEntries(entries: DriftEntry[]): DriftEntry[] {
  const text = (e: DriftEntry) => [e.vendor, e.provider ?? '', e.construct ?? '\uffff', JSON.stringify(e.identity)];
  return entries.sort((a, b) => {
    const [x, y] = [text(a), text(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
}

/**
 * Resolves with the read, or rejects when the overall deadline passes first; the read's requests are then aborted
 * (a request left open would keep the process alive until the vendor answered).
 */
function beforeDeadline<T>(work: (signal?: AbortSignal) => Promise<T>, deadlineAt: number | undefined): Promise<T> {
  if (deadlineAt === undefined) return work();
  const left = deadlineAt - Date.now();
  if (left <= 0) return Promise.reject(new Error('not read: the drift deadline (--deadline) passed before this scope was read'));
  let timer: NodeJS.Timeout | undefined;
  const abort = new AbortController();
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error('not read: the drift deadline (--deadline) passed while this scope was read'));
      abort.abort('the drift deadline passed');
    }, left);
  });
  return Promise.race([work(abort.signal), late]).finally(() => clearTimeout(timer));
}

function statusOf(declared: Fields, actual: Fields | null): DriftStatus {
  if (actual === null) return 'missing';
  return JSON.stringify(actual) === JSON.stringify(declared) ? 'in-sync' : 'changed';
}

const DETAILS: Record<Exclude<DriftStatus, 'unknown' | 'expired'>, string> = {
  'in-sync': 'The vendor holds what the last apply declared.',
  missing: 'Declared and applied, but the vendor does not hold it.',
  changed: 'The vendor holds it, differently from what the last apply declared.',
  unmanaged: 'The vendor holds it in a scope this stack manages, and no construct declares it.',
};

/** Reads every scope of the stack's grants and returns one entry per grant (and per unmanaged grant if asked). */
export async function collectDrift(
  stack: StackView, sessions: ProviderSessions, options: DriftOptions,
): Promise<DriftResult> {
  const entries: DriftEntry[] = [];
  const unmanaged: UnmanagedGrant[] = [];
  let readOk = 0;
  let readFailed = 0;
  const limit = pLimit(CONCURRENCY);
  const now = Date.now();
  const scopes = groupScopes(stack);
  await Promise.all([...scopes.values()].map(({ provider, scope, grants }) => limit(async () => {
    const view = VENDOR_VIEWS[provider.vendor];
    const entry = (g: StateGrant, status: DriftStatus, actual: Fields | null, detail: string): DriftEntry => withExpiry({
      vendor: g.vendor, provider: provider.path, construct: g.path, address: g.address, identity: view.identity(g.resource),
      status, declared: view.declared(g.resource), actual, detail,
    }, g, now);
    let read: ScopeRead<unknown>;
    try {
      read = await beforeDeadline(async (signal) => {
        const session = await sessions.get(providerKey(provider.vendor, provider.providerId))!.open(signal);
        return VENDOR_CLIENTS[provider.vendor].read(scope, session);
      }, options.deadlineAt);
      readOk++;
    } catch (error) {
      readFailed++;
      const reason = redact((error as Error).message, options.secrets);
      for (const g of grants) entries.push(entry(g, 'unknown', null, `The vendor could not be read: ${reason}`));
      return;
    }
    for (const g of grants) {
      if (!read.exists) {
        entries.push(entry(g, 'missing', null, `${DETAILS.missing} (${read.detail})`));
        continue;
      }
      try {
        const actual = view.actual(g.resource, read.held);
        const status = statusOf(view.declared(g.resource), actual);
        entries.push(entry(g, status, actual, DETAILS[status as keyof typeof DETAILS] + (g.tainted ? ' Its last apply failed.' : '')));
      } catch (error) {
        entries.push(entry(g, 'unknown', null, `The vendor's answer does not say: ${(error as Error).message}`));
      }
    }
    if (!options.unmanaged || !read.exists) return;
    for (const held of view.unmanaged(scope, read.held, grants.map((g) => g.resource))) {
      const may = prunable(provider.vendor, provider, held.identity, options.prunePolicies ?? []);
      const found: DriftEntry = {
        vendor: provider.vendor, provider: provider.path, construct: null, address: null, identity: held.identity,
        status: 'unmanaged', declared: null, actual: held.actual, prunable: may.ok,
        detail: `${DETAILS.unmanaged} Prune ${may.ok ? 'may remove it' : 'leaves it'}: ${may.why}.`,
      };
      entries.push(found);
      unmanaged.push({ entry: found, held, provider, scope });
    }
  })));
  return { entries: sortEntries(entries), unmanaged, readOk, readFailed };
}

/** The stack's grants grouped by scope (one vendor read each), keyed by provider and scope. */
export function groupScopes(stack: StackView): Map<string, { provider: StackProvider; scope: unknown; grants: StateGrant[] }> {
  const scopes = new Map<string, { provider: StackProvider; scope: unknown; grants: StateGrant[] }>();
  for (const grant of stack.grants) {
    const provider = stack.providers.get(providerKey(grant.vendor, grant.providerId))!;
    const client = VENDOR_CLIENTS[grant.vendor];
    const scope = client.scopeOf(grant.resource);
    const key = `${providerKey(grant.vendor, grant.providerId)} ${client.scopeKey(scope)}`;
    const group = scopes.get(key) ?? { provider, scope, grants: [] as StateGrant[] };
    group.grants.push(grant);
    scopes.set(key, group);
  }
  return scopes;
}
