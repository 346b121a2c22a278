/**
 * The example stack: one permission of each vendor, one of them fed by another resource's output, one that expires.
 * DEMO_STAGE=2 is the same stack after a code review changed it (the demo applies both stages).
 */
import { App, DataResource, Fn, TerraformOutput, TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider,
} from './constructs';

const ANALYST_ROLE = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
const ENGINEER_ROLE = '7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e';

class SaasAccessStack extends TerraformStack {
  constructor(scope: Construct, id: string, stage: number) {
    super(scope, id);
    new PolarityProvider(this, 'polarity');
    new BritiveProvider(this, 'britive');
    // This stack alone manages its Kore entities: drift --prune may remove users no construct declares there.
    new KoreProvider(this, 'kore', { exclusiveScope: true });
    new PolytomicProvider(this, 'polytomic');

    // Stands in for a group created elsewhere in the stack (a directory group, an IdP mapping): its id is only
    // known once Terraform has applied it, and feeds the Polarity grant below.
    const analysts = new DataResource(this, 'analyst-group', { input: { groupId: '7' } });
    const analystGroupId = Token.asString(Fn.lookup(analysts.output, 'groupId'));

    new PolarityIntegrationPermission(this, 'analysts-virustotal', {
      integrationId: 'virustotal',
      groupId: analystGroupId,
      permissions: stage === 1 ? ['read'] : ['read', 'admin'],
    });
    new PolarityIntegrationPermission(this, 'everyone-shodan', { integrationId: 'shodan', groupId: '1', permissions: ['read'] });
    // A contractor's access that ends on its own: the first apply after this date revokes it, with no change here.
    new PolarityIntegrationPermission(this, 'contractor-urlscan', {
      integrationId: 'urlscan', groupId: '12', permissions: ['read'], expiresAt: process.env.DEMO_EXPIRES_AT ?? '2030-01-01T00:00:00Z',
    });

    new BritiveProfilePermission(this, 'oncall-admin-role', {
      profileId: 'pap-oncall',
      permissionName: stage === 1 ? 'AdministratorAccess' : 'PowerUserAccess',
      permissionType: 'role',
    });

    new KoreEntityUsers(this, 'eng-drive-readers', {
      botId: 'st-search',
      connectorId: 'fc-drive',
      entityId: 'eng@example.com',
      users: stage === 1 ? ['ana@example.com', 'bo@example.com'] : ['bo@example.com', 'cy@example.com'],
    });

    new PolytomicPolicy(this, 'sync-operators', {
      name: 'Sync operators',
      policyActions: stage === 1
        ? [{ action: 'read', roleIds: [ANALYST_ROLE] }]
        : [{ action: 'read', roleIds: [ANALYST_ROLE, ENGINEER_ROLE] }, { action: 'trigger', roleIds: [ENGINEER_ROLE] }],
    });

    new TerraformOutput(this, 'analyst_group_id', { value: analystGroupId });
  }
}

const app = new App();
new SaasAccessStack(app, 'saas-access', Number(process.env.DEMO_STAGE ?? '1'));
app.synth();
