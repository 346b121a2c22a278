/** Britive in the drift report and import: a permission attached to a profile. */
import { BritivePermission, BritiveScope, samePermission } from '../../vendors/britive';
import { Fields, VendorView, constructId } from './view';

const asGrant = (r: Fields) => ({ permissionName: String(r.permissionName), permissionType: String(r.permissionType) });

export const britiveView: VendorView<BritiveScope, BritivePermission[]> = {
  vendor: 'britive',
  identity: (r) => ({ profileId: r.profileId, permissionName: r.permissionName, permissionType: r.permissionType }),
  declared: () => ({ present: true }),
  actual: (r, held) => (held.some((p) => samePermission(p, asGrant(r))) ? { present: true } : null),
  unmanaged: (scope, held, declared) => held.filter((p) => !declared.some((r) => samePermission(p, asGrant(r)))).map((p) => {
    const resource = { profileId: scope.profileId, permissionName: p.name, permissionType: p.type };
    return { identity: resource, actual: { present: true }, resource };
  }),
  importItems: (scope, held) => [...held].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type)).map((p) => {
    const props = { profileId: scope.profileId, permissionName: p.name, permissionType: p.type };
    return { className: 'BritiveProfilePermission', id: constructId(scope.profileId, p.type, p.name), props, grant: { identity: props, actual: { present: true }, resource: props } };
  }),
};
