/**
 * The access review: who holds what in every scope the stack manages, read at the vendors with drift's own reads
 * (one per scope, `collectDrift` with unmanaged grants), one row per principal and scope: a Polarity group on an
 * integration, a permission attached to a Britive profile, a Kore user on a permission entity, a Polytomic role in a
 * policy. Each row says whether a construct declares it, until when, or that none does.
 */
import type { DriftEntry } from './drift';

export type AccessKind = 'declared' | 'expiring' | 'expired' | 'unmanaged' | 'not-held' | 'unreadable';
export const ACCESS_KINDS: readonly AccessKind[] = ['declared', 'expiring', 'expired', 'unmanaged', 'not-held', 'unreadable'];
export type AccessFormat = 'table' | 'json' | 'csv' | 'html';
export const ACCESS_FORMATS: readonly AccessFormat[] = ['table', 'json', 'csv', 'html'];

export interface AccessRow {
  vendor: string;
  /** The provider construct's path (two tenants of one vendor stay apart). */
  provider: string | null;
  scope: string;
  principal: string;
  /** What the principal holds there, as the vendor answered; empty when it holds nothing. */
  holds: string;
  kind: AccessKind;
  /** The kind in words: "declared by <construct path>", "expiring on <date> ...", "unmanaged", ... */
  status: string;
  construct: string | null;
  expiresAt: string | null;
  /** When the vendors were read (RFC 3339). */
  readAt: string;
}

export interface AccessReport {
  stackDir: string;
  readAt: string;
  summary: Record<AccessKind, number>;
  /** Scopes that could not be read, and why. */
  unreadable: Array<{ vendor: string; provider: string | null; scope: string; reason: string }>;
  rows: AccessRow[];
}

type Place = { scope: string; principal: string; holds: string };

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

/** Where a grant sits and who holds it: one place per principal (a Polytomic policy has one per role). */
function placesOf(e: DriftEntry): Place[] {
  const id = e.identity;
  const held = e.actual !== null;
  const fields = e.actual ?? e.declared ?? {};
  switch (e.vendor) {
    case 'polarity':
      return [{ scope: `integration ${text(id.integrationId)}`, principal: `group ${text(id.groupId)}`, holds: held ? (fields.permissions as string[]).join(', ') : '' }];
    case 'britive':
      return [{ scope: `profile ${text(id.profileId)}`, principal: `${text(id.permissionType)} ${text(id.permissionName)}`, holds: held ? 'attached' : '' }];
    case 'kore':
      return [{ scope: `entity ${text(id.entityId)} (${text(id.botId)} / ${text(id.connectorId)})`, principal: `user ${text(id.user)}`, holds: held ? 'associated' : '' }];
    default: {
      const scope = `policy ${text(id.name)}${id.organizationId ? ` (organization ${text(id.organizationId)})` : ''}`;
      const roles = new Map<string, string[]>();
      for (const [action, ids] of Object.entries((fields.actions ?? {}) as Record<string, string[]>)) {
        for (const role of ids) roles.set(role, [...(roles.get(role) ?? []), action]);
      }
      if (roles.size === 0) return [{ scope, principal: '(no role)', holds: '' }];
      return [...roles].map(([role, actions]) => ({ scope, principal: `role ${role}`, holds: held ? actions.sort().join(', ') : '' }));
    }
  }
}

/** The kind of a drift entry in the review, and its words. */
function kindOf(e: DriftEntry, now: number): { kind: AccessKind; status: string } {
  const by = `declared by ${e.construct ?? e.address ?? '?'}`;
  if (e.status === 'unknown') return { kind: 'unreadable', status: `unreadable (${by})` };
  if (e.status === 'unmanaged') return { kind: 'unmanaged', status: 'unmanaged' };
  const past = e.expiresAt !== undefined && Date.parse(e.expiresAt) <= now;
  if (e.actual === null) return { kind: 'not-held', status: `${past ? `expired on ${e.expiresAt}, ` : ''}not held (${by})` };
  const differs = e.status === 'changed' ? '; differs from the last apply' : '';
  if (e.status === 'expired' || past) return { kind: 'expired', status: `expired on ${e.expiresAt} (${by})${differs}` };
  if (e.expiresAt !== undefined) return { kind: 'expiring', status: `expiring on ${e.expiresAt} (${by})${differs}` };
  return { kind: 'declared', status: `${by}${differs}` };
}

/** The review's rows from drift entries read at `readAt`, sorted by vendor, provider, scope and principal. */
export function accessReport(stackDir: string, entries: readonly DriftEntry[], readAt: Date): AccessReport {
  const rows: AccessRow[] = [];
  const unreadable = new Map<string, AccessReport['unreadable'][number]>();
  for (const e of entries) {
    const { kind, status } = kindOf(e, readAt.getTime());
    for (const place of placesOf(e)) {
      rows.push({
        vendor: e.vendor, provider: e.provider, ...place, kind, status, construct: e.construct, expiresAt: e.expiresAt ?? null, readAt: readAt.toISOString(),
      });
      if (kind === 'unreadable') unreadable.set(`${e.vendor} ${e.provider} ${place.scope}`, { vendor: e.vendor, provider: e.provider, scope: place.scope, reason: e.detail });
    }
  }
  const key = (r: AccessRow) => [r.vendor, r.provider ?? '', r.scope, r.principal, r.construct ?? ''];
  rows.sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i] < y[i] ? -1 : 1;
    return 0;
  });
  const summary = Object.fromEntries(ACCESS_KINDS.map((k) => [k, rows.filter((r) => r.kind === k).length])) as Record<AccessKind, number>;
  return { stackDir, readAt: readAt.toISOString(), summary, unreadable: [...unreadable.values()], rows };
}
