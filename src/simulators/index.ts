/** Starts the four vendor simulators on loopback with the well-known local credentials the demo and tests use. */
import { BritiveSimulator } from './britive-sim';
import { KoreSimulator } from './kore-sim';
import { PolaritySimulator } from './polarity-sim';
import { POLYTOMIC_SIM_DEFAULT_ROLES, POLYTOMIC_SIM_ORG, PolytomicSimulator } from './polytomic-sim';

export { BritiveSimulator, KoreSimulator, PolaritySimulator, PolytomicSimulator };
export { POLYTOMIC_DOCUMENTED_ACTIONS, POLYTOMIC_SIM_ORG, POLYTOMIC_SIM_ROLES, POLYTOMIC_SIM_SYSTEM_ROLE } from './polytomic-sim';
export type { KoreEntity } from './kore-sim';
export type { FaultKind, FaultSpec, RateLimit } from './sim-server';

/** Credentials the simulators accept. Local-only values, never a real vendor's. */
export const SIM_CREDENTIALS = {
  polarityToken: 'sim-polarity-token-5f2e',
  britiveToken: 'sim-britive-token-9a41',
  koreClientId: 'cs-3f0c2d4e-8b1a-4c55-9e77-1d2c3b4a5f60',
  koreClientSecret: 'sim-kore-client-secret-77b3',
  polytomicApiKey: 'sim-polytomic-key-c0d8',
} as const;

/**
 * What the simulators started here know besides their own defaults: the ids of the README's example, so that it
 * deploys against them as written.
 */
export const SIM_IDS = {
  polarityIntegrations: ['virustotal', 'shodan', 'urlscan', 'virustotal_3_7_4_node_18_63e5110da4_1697729362'],
  britiveProfiles: ['pap-admins', 'pap-readonly', 'pap-oncall', 'pocahtoxoatg2dthkesw'],
  polytomicRoles: [...POLYTOMIC_SIM_DEFAULT_ROLES, { id: '248df4b7-aa70-47b8-a036-33ac447e668d', name: 'Sync operators' }],
};

export interface Simulators {
  readonly polarity: PolaritySimulator;
  readonly britive: BritiveSimulator;
  readonly kore: KoreSimulator;
  readonly polytomic: PolytomicSimulator;
  /** The environment the `terraform` process needs to reach these simulators. */
  readonly env: Record<string, string>;
  stop(): Promise<void>;
}

export interface SimulatorOptions {
  /** Every simulator answers the alternative reading of what its vendor leaves undocumented. @default false */
  readonly alternative?: boolean;
}

export async function startSimulators(
  ports: Partial<Record<'polarity' | 'britive' | 'kore' | 'polytomic', number>> = {}, options: SimulatorOptions = {},
): Promise<Simulators> {
  const polarity = new PolaritySimulator({ token: SIM_CREDENTIALS.polarityToken, users: { admin: 'sim-admin-password' }, integrations: SIM_IDS.polarityIntegrations });
  const britive = new BritiveSimulator({ token: SIM_CREDENTIALS.britiveToken, profiles: SIM_IDS.britiveProfiles });
  const kore = new KoreSimulator({
    clientId: SIM_CREDENTIALS.koreClientId,
    clientSecret: SIM_CREDENTIALS.koreClientSecret,
    requireJti: true,
    entities: { 'st-search/fc-drive': ['eng@example.com', 'sales@example.com', 'legal@example.com'] },
  });
  const polytomic = new PolytomicSimulator({ apiKey: SIM_CREDENTIALS.polytomicApiKey, organizationId: POLYTOMIC_SIM_ORG, roles: SIM_IDS.polytomicRoles });
  for (const sim of [polarity, britive, kore, polytomic]) sim.alternative = options.alternative ?? false;
  const [polarityUrl, britiveUrl, koreUrl, polytomicUrl] = await Promise.all([
    polarity.start(ports.polarity), britive.start(ports.britive), kore.start(ports.kore), polytomic.start(ports.polytomic),
  ]);
  return {
    polarity, britive, kore, polytomic,
    env: {
      POLARITY_URL: polarityUrl,
      POLARITY_TOKEN: SIM_CREDENTIALS.polarityToken,
      BRITIVE_TENANT: britiveUrl,
      BRITIVE_TOKEN: SIM_CREDENTIALS.britiveToken,
      KORE_URL: koreUrl,
      KORE_CLIENT_ID: SIM_CREDENTIALS.koreClientId,
      KORE_CLIENT_SECRET: SIM_CREDENTIALS.koreClientSecret,
      POLYTOMIC_DEPLOYMENT_URL: polytomicUrl,
      POLYTOMIC_API_KEY: SIM_CREDENTIALS.polytomicApiKey,
    },
    async stop() {
      await Promise.all([polarity.stop(), britive.stop(), kore.stop(), polytomic.stop()]);
    },
  };
}
