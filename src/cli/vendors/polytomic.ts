/** Polytomic in the drift report and import: a permissions policy and the roles that hold its actions. */
import { PolicyBody, PolytomicScope, heldActions, policiesNamed } from '../../vendors/polytomic';
import { Fields, VendorView, constructId } from './view';

const named = (r: Fields) => ({ name: String(r.name), organizationId: (r.organizationId as string | null | undefined) ?? null });

export const polytomicView: VendorView<PolytomicScope, PolicyBody[]> = {
  vendor: 'polytomic',
  identity: (r) => named(r),
  declared: (r) => ({ actions: heldActions(r.policyActions as Array<{ action: string; roleIds: string[] }>) }),
  actual: (r, held) => {
    const matches = policiesNamed(held, named(r));
    if (matches.length > 1) throw new Error(`${matches.length} policies are named ${JSON.stringify(r.name)} (ids ${matches.map((m) => m.id).join(', ')})`);
    return matches[0] ? { actions: heldActions(matches[0].policy_actions) } : null;
  },
  // The scope a stack manages is the organizations its policies are in, not every organization the key reaches.
  unmanaged: (_scope, held, declared) => {
    const orgs = new Set(declared.flatMap((r) => [named(r).organizationId, ...policiesNamed(held, named(r)).map((p) => p.organization_id)]).filter(Boolean));
    return held.filter((p) => !p.system && orgs.has(p.organization_id) && !declared.some((r) => policiesNamed([p], named(r)).length > 0)).map((p) => ({
      identity: { name: p.name, organizationId: p.organization_id ?? null },
      actual: { actions: heldActions(p.policy_actions) },
      resource: { name: p.name, organizationId: p.organization_id ?? null, policyActions: [] },
    }));
  },
  importItems: (_scope, held) => {
    const custom = held.filter((p) => !p.system).sort((a, b) => a.name.localeCompare(b.name));
    return custom.map((p) => {
      const actions = heldActions(p.policy_actions);
      // Apply would find the built-in among the policies of that name and refuse (built-ins cannot be managed).
      if (held.some((q) => q.system && q.name === p.name)) {
        return { comment: `policy ${JSON.stringify(p.name)} (${p.id}) has the name of a built-in policy: a PolytomicPolicy of that name fails at deploy; rename it at Polytomic to manage it` };
      }
      if (Object.keys(actions).length === 0) return { comment: `policy ${JSON.stringify(p.name)} (${p.id}) gives no role any action: a PolytomicPolicy needs at least one action with roles` };
      // The organization is named only where the name alone is ambiguous across the organizations the key reaches.
      const ambiguous = custom.filter((q) => q.name === p.name).length > 1;
      const props: Fields = {
        name: p.name, ...(ambiguous && p.organization_id ? { organizationId: p.organization_id } : {}),
        policyActions: Object.entries(actions).map(([action, roleIds]) => ({ action, roleIds })),
      };
      return {
        className: 'PolytomicPolicy', id: constructId(p.name, ...(ambiguous ? [String(p.organization_id ?? '')] : [])), props,
        grant: { identity: { name: p.name, organizationId: p.organization_id ?? null }, actual: { actions }, resource: props },
      };
    });
  },
};
