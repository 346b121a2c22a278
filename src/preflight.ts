/**
 * The check a run makes before it writes to any vendor: every provider of the stack (all vendors, from
 * SAAS_PERMISSIONS_PROVIDERS) must have its credentials and a well-formed URL in the environment. Without it, a run
 * with one vendor's token unset changed the other vendors before that vendor's first grant failed. The check reads
 * only the environment (each client's `connect`, which sends nothing), so every handler of a run makes it for
 * itself, in well under a millisecond per provider, and all of them reach the same verdict from the same environment:
 * either every handler goes on, or none writes.
 */
import { KoreConnection, PROVIDERS_ENV, ProviderSettings, VENDORS, VendorName } from './contract';
import { ConfigurationError } from './errors';
import { VENDOR_CLIENTS } from './vendors';

export type StackProviders = Partial<Record<VendorName, Record<string, ProviderSettings>>>;

/** The stack's providers as the provisioner hands them over; absent in stacks synthesized before this check. */
function stackProviders(env: NodeJS.ProcessEnv): StackProviders | undefined {
  const raw = env[PROVIDERS_ENV];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as StackProviders;
  } catch (error) {
    throw new ConfigurationError(`the provider list in ${PROVIDERS_ENV} is not JSON: ${(error as Error).message}: synthesize the stack again`);
  }
}

/**
 * Kore's connect mints a JWT from the client id and secret when no JWT is given, which loads the JWT library (30 to
 * 37 ms more per handler run in two measurements on a loaded machine): the check only needs to know both are set, so
 * it sees a stand-in JWT then.
 */
function withoutMinting(c: KoreConnection, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return !env[c.jwtEnv] && env[c.clientIdEnv] && env[c.clientSecretEnv] ? { ...env, [c.jwtEnv]: 'preflight' } : env;
}

/** One line per provider that cannot be used, naming the construct and the variable to export. */
export async function preflightProblems(env: NodeJS.ProcessEnv): Promise<string[]> {
  const providers = stackProviders(env);
  if (!providers) return [];
  const problems: string[] = [];
  for (const vendor of VENDORS) {
    for (const settings of Object.values(providers[vendor] ?? {})) {
      try {
        await VENDOR_CLIENTS[vendor].connect(settings.connection as any, vendor === 'kore' ? withoutMinting(settings.connection as KoreConnection, env) : env);
      } catch (error) {
        if (!(error instanceof ConfigurationError)) throw error;
        problems.push(`${settings.path} (${error.message})`);
      }
    }
  }
  return problems;
}

/** Throws, naming every provider that cannot be used, before the run sends anything to any vendor. */
export async function preflight(env: NodeJS.ProcessEnv): Promise<void> {
  const problems = await preflightProblems(env);
  if (problems.length === 0) return;
  throw new ConfigurationError(
    `preflight: ${problems.length} provider${problems.length === 1 ? '' : 's'} of this stack cannot be used, so this run sends ` +
    `nothing to any vendor: ${problems.join('; ')}`,
  );
}
