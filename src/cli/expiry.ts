/**
 * Grants with an expiry (`expiresAt`, kept in state with the grant) in the drift report: a grant the vendor still
 * holds after its expiry is `expired` until the next apply revokes it, and `drift --fix` revokes it now. A grant that
 * expired and is gone is what the code asks for, not drift.
 */
import pLimit from 'p-limit';
import { redact } from '../errors';
import { VENDOR_CLIENTS } from '../vendors';
import type { DriftEntry, DriftResult, ProviderSessions } from './drift';
import { StackView, StateGrant, providerKey } from './stack';

/** Whether a grant's expiry has passed at `now` (milliseconds); false without one, or with one that is not a date. */
export function hasExpired(grant: Pick<StateGrant, 'stored'>, now: number): boolean {
  const at = grant.stored.expiresAt === undefined ? NaN : Date.parse(grant.stored.expiresAt);
  return !Number.isNaN(at) && at <= now;
}

/** The entry with the grant's expiry, and the status that expiry gives it once past. */
export function withExpiry(entry: DriftEntry, grant: StateGrant, now: number): DriftEntry {
  const expiresAt = grant.stored.expiresAt;
  if (expiresAt === undefined) return entry;
  if (!hasExpired(grant, now)) return { ...entry, expiresAt };
  if (entry.status === 'in-sync' || entry.status === 'changed') {
    return { ...entry, expiresAt, status: 'expired', detail: `Expired at ${expiresAt} and still held: the next apply revokes it (drift --fix revokes it now).` };
  }
  if (entry.status === 'missing') {
    return { ...entry, expiresAt, status: 'in-sync', detail: `Expired at ${expiresAt} and no longer held: the next apply removes it from state.` };
  }
  return { ...entry, expiresAt };
}

/**
 * Addresses of the instances the next plan drops because their grant expired: a plan that only drops those is not
 * a change of code, so it does not stop a repair.
 */
export function expiredAddresses(grants: readonly StateGrant[], now: number): Set<string> {
  return new Set(grants.filter((g) => hasExpired(g, now)).flatMap((g) => [g.address, g.address.replace(/_apply\[/, '_revoke[')]));
}

/** Revokes every expired grant the vendor still holds, with the calls a revoke makes. */
export async function revokeExpired(
  stack: StackView, result: DriftResult, sessions: ProviderSessions, secrets: string[],
): Promise<{ fixed: Set<string>; failed: Map<string, string> }> {
  const fixed = new Set<string>();
  const failed = new Map<string, string>();
  const limit = pLimit(8);
  const byAddress = new Map(stack.grants.map((g) => [g.address, g]));
  await Promise.all(result.entries.filter((e) => e.status === 'expired').map((e) => limit(async () => {
    const grant = byAddress.get(e.address!)!;
    try {
      const session = await sessions.get(providerKey(grant.vendor, grant.providerId))!.open();
      await VENDOR_CLIENTS[grant.vendor].revoke(grant.resource, session);
      fixed.add(e.address!);
    } catch (error) {
      failed.set(e.address!, redact((error as Error).message, secrets));
    }
  })));
  return { fixed, failed };
}
