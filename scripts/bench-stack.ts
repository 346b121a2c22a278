/** The benchmark's stack: N grants, a quarter per vendor, each with its own identity. */
import { TerraformStack } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from '../constructs';
import { POLYTOMIC_SIM_ROLES } from '../src/simulators';

export function buildMixedStack(stack: TerraformStack, n: number): void {
  new PolarityProvider(stack, 'polarity');
  new BritiveProvider(stack, 'britive');
  new KoreProvider(stack, 'kore');
  new PolytomicProvider(stack, 'polytomic');
  const per = n / 4;
  for (let i = 0; i < per; i++) {
    new PolarityIntegrationPermission(stack, `p${i}`, { integrationId: 'virustotal', groupId: String(i + 1), permissions: ['read'] });
    new BritiveProfilePermission(stack, `b${i}`, { profileId: 'pap-admins', permissionName: `Role${i}`, permissionType: 'role' });
    new KoreEntityUsers(stack, `k${i}`, { botId: 'st-search', connectorId: 'fc-drive', entityId: 'eng@example.com', users: [`u${i}@example.com`] });
    new PolytomicPolicy(stack, `t${i}`, { name: `Policy ${i}`, policyActions: [{ action: 'read', roleIds: [POLYTOMIC_SIM_ROLES[i % 3]] }] });
  }
}
