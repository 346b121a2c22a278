/** Polarity in the drift report and import: a group's permissions on an integration. */
import { PolarityHeld, PolarityScope, effectivePermissions } from '../../vendors/polarity';
import { Fields, VendorView, constructId } from './view';

export const polarityView: VendorView<PolarityScope, PolarityHeld> = {
  vendor: 'polarity',
  identity: (r) => ({ integrationId: r.integrationId, groupId: String(r.groupId) }),
  // admin implies read: a declared ['admin'] and a held ['admin', 'read'] are the same.
  declared: (r) => ({ permissions: effectivePermissions(r.permissions as string[]) }),
  actual: (r, held) => {
    const permissions = held.get(String(r.groupId));
    return permissions ? { permissions } : null;
  },
  unmanaged: (scope, held, declared) => {
    const groups = new Set(declared.map((r) => String(r.groupId)));
    return [...held].filter(([group]) => !groups.has(group)).map(([groupId, permissions]) => ({
      identity: { integrationId: scope.integrationId, groupId },
      actual: { permissions },
      resource: { integrationId: scope.integrationId, groupId, permissions },
    }));
  },
  importItems: (scope, held) => [...held].sort(([a], [b]) => Number(a) - Number(b)).map(([groupId, permissions]) => {
    const props: Fields = { integrationId: scope.integrationId, groupId, permissions };
    return {
      className: 'PolarityIntegrationPermission', id: constructId(scope.integrationId, 'group', groupId), props,
      grant: { identity: { integrationId: scope.integrationId, groupId }, actual: { permissions }, resource: props },
    };
  }),
};
