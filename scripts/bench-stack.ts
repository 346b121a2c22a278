/** The benchmark's stack: N grants spread round-robin over the four vendors, each with its own identity. */
import { TerraformStack } from 'cdktf';
import type { SaasProviderBaseProps } from '../constructs/permissions-provider';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../constructs';
import { POLYTOMIC_SIM_ROLES } from '../src/simulators';

/** Builds the stack and returns how many grants each vendor got. */
export function buildMixedStack(stack: TerraformStack, n: number, providerProps: SaasProviderBaseProps = {}): Record<'polarity' | 'britive' | 'kore' | 'polytomic', number> {
  new PolarityProvider(stack, 'polarity', providerProps);
  new BritiveProvider(stack, 'britive', providerProps);
  new KoreProvider(stack, 'kore', providerProps);
  new PolytomicProvider(stack, 'polytomic', providerProps);
  const counts = { polarity: 0, britive: 0, kore: 0, polytomic: 0 };
  for (let i = 0; i < n; i++) {
    switch (i % 4) {
      case 0: counts.polarity++; new PolarityIntegrationPermission(stack, `p${i}`, { integrationId: 'virustotal', groupId: String(i + 1), permissions: ['read'] }); break;
      case 1: counts.britive++; new BritiveProfilePermission(stack, `b${i}`, { profileId: 'pap-admins', permissionName: `Role${i}`, permissionType: 'role' }); break;
      case 2: counts.kore++; new KoreEntityUsers(stack, `k${i}`, { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: [`u${i}@example.com`] }); break;
      default: counts.polytomic++; new PolytomicPolicy(stack, `t${i}`, { name: `Policy ${i}`, policyActions: [{ action: 'read', roleIds: [POLYTOMIC_SIM_ROLES[i % 3]] }] });
    }
  }
  return counts;
}
