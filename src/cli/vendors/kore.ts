/** Kore.ai in the drift report and import: one user associated with a permission entity. */
import { KoreHeld, KoreScope } from '../../vendors/kore';
import { Fields, VendorView, constructId } from './view';

export const koreView: VendorView<KoreScope, KoreHeld> = {
  vendor: 'kore',
  identity: (r) => ({ botId: r.botId, connectorId: r.connectorId, entityId: r.entityId, user: r.user }),
  declared: () => ({ present: true }),
  actual: (r, held) => (held.users.includes(String(r.user)) ? { present: true } : null),
  unmanaged: (scope, held, declared) => {
    const users = new Set(declared.map((r) => String(r.user)));
    return held.users.filter((u) => !users.has(u)).map((user) => {
      const resource = { ...scope, user };
      return { identity: resource, actual: { present: true }, resource };
    });
  },
  importItems: (scope, held) => {
    if (held.users.length === 0) return [{ comment: `entity ${scope.entityId} has no users: a KoreEntityUsers needs at least one` }];
    const users = [...held.users].sort();
    const props: Fields = { botId: scope.botId, connectorId: scope.connectorId, entityId: scope.entityId, users };
    return [{ className: 'KoreEntityUsers', id: constructId(scope.entityId, 'users'), props, grant: { identity: { ...scope }, actual: { users }, resource: props } }];
  },
};
