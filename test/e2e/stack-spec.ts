/** Builds test stacks from a plain description, so each e2e test says only what it declares. */
import { DataResource, Fn, TerraformStack, Token } from 'cdktf';
import {
  BritiveProfilePermission, BritiveProvider, KoreEntityUsers, KoreProvider, PolarityIntegrationPermission, PolarityProvider,
  PolytomicPolicy, PolytomicProvider, PolytomicPolicyProps, SaasProviderBaseProps,
} from '../../constructs';
import { FAST_HTTP } from './harness';

export interface StackSpec {
  readonly polarity?: Array<{ id: string; integrationId: string; groupId: string; permissions: Array<'read' | 'admin'>; retain?: boolean }>;
  readonly britive?: Array<{ id: string; profileId: string; permissionName: string; permissionType: string }>;
  readonly kore?: Array<{ id: string; botId?: string; connectorId?: string; entityId: string; users: string[] }>;
  readonly polytomic?: Array<{ id: string } & Omit<PolytomicPolicyProps, 'provider'>>;
  /** Feed this Polarity construct's groupId from another resource's output instead of a literal. */
  readonly polarityGroupFromResource?: string;
  readonly providerProps?: SaasProviderBaseProps;
}

export const ROLE_A = '6c1a2b3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d';
export const ROLE_B = '7d2b3c4e-5f60-4b7c-8d9e-0f1a2b3c4d5e';

export function buildStack(spec: StackSpec): (stack: TerraformStack) => void {
  return (stack) => {
    const providerProps = { ...FAST_HTTP, ...spec.providerProps };
    new PolarityProvider(stack, 'polarity', providerProps);
    new BritiveProvider(stack, 'britive', providerProps);
    new KoreProvider(stack, 'kore', providerProps);
    new PolytomicProvider(stack, 'polytomic', providerProps);
    for (const p of spec.polarity ?? []) {
      let groupId = p.groupId;
      if (spec.polarityGroupFromResource === p.id) {
        const group = new DataResource(stack, `${p.id}-group`, { input: { groupId: p.groupId } });
        groupId = Token.asString(Fn.lookup(group.output, 'groupId'));
      }
      new PolarityIntegrationPermission(stack, p.id, {
        integrationId: p.integrationId, groupId, permissions: p.permissions, removalPolicy: p.retain ? 'retain' : undefined,
      });
    }
    for (const b of spec.britive ?? []) new BritiveProfilePermission(stack, b.id, b);
    for (const k of spec.kore ?? []) {
      new KoreEntityUsers(stack, k.id, { botId: k.botId ?? 'st-search', connectorId: k.connectorId ?? 'fc-drive', entityId: k.entityId, users: k.users });
    }
    for (const { id, ...props } of spec.polytomic ?? []) new PolytomicPolicy(stack, id, props);
  };
}
