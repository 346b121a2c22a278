/**
 * The benchmarks' stacks (scripts/bench.ts, scripts/bench-structure.ts): the product's N grants spread round-robin
 * over the four vendors, each with its own identity, and the hand-written floors and curl peer beside it.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
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

/** What the curl peer calls: answers every request 200 after reading it, as a vendor's simplest endpoint would. */
export async function startPeerServer(): Promise<{ url: string; close: () => void }> {
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => response.end('{"ok":true}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, close: () => server.close() };
}

/**
 * The hand-written peer's provisioner command: one real HTTP POST per grant on create and one DELETE on destroy, with
 * none of the product's guarantees (no validation, no confirmation, no retry, no redaction, no state of what was
 * granted). Run with `sh -c`.
 */
export function peerCommand(peerUrl: string, method: 'POST' | 'DELETE'): string {
  return `curl -sS -f -o /dev/null -X ${method} -H 'content-type: application/json' --data '{"permissions":["read"]}' ${peerUrl}/grants`;
}

export interface FloorStackOptions {
  readonly interpreter: string[];
  /** @default 'floor' */
  readonly command?: string;
  /** @default the create-time command */
  readonly destroyCommand?: string;
  /** The `terraform` block (a backend). @default none: a local terraform.tfstate */
  readonly terraform?: object;
  /** The create- and destroy-time provisioners on two blocks of N instances each, as the product lays a grant out. @default false */
  readonly twoBlocks?: boolean;
}

/** N terraform_data instances in one for_each block whose create and destroy provisioners run `interpreter`. */
export function writeFloorStack(dir: string, n: number, options: FloorStackOptions): void {
  fs.mkdirSync(dir, { recursive: true });
  const { interpreter, command = 'floor', destroyCommand = command } = options;
  const instances = Object.fromEntries(Array.from({ length: n }, (_, i) => [`grant-${i}`, { n: i }]));
  const provisioner = (when?: string) => ({ 'local-exec': { ...(when ? { when } : {}), interpreter, command: when ? destroyCommand : command } });
  const block = (provisioners: object[]) => ({ for_each: '${local.instances}', input: '${each.value}', provisioner: provisioners });
  const blocks = options.twoBlocks
    ? { floor: block([provisioner()]), floor_destroy: block([provisioner('destroy')]) }
    : { floor: block([provisioner(), provisioner('destroy')]) };
  fs.writeFileSync(path.join(dir, 'main.tf.json'), JSON.stringify({
    ...(options.terraform ? { terraform: options.terraform } : {}), locals: { instances }, resource: { terraform_data: blocks },
  }));
}

/** The mixed stack grants to Polarity groups 1..N; the simulator, like the server, knows only groups that exist. */
export function addPolarityGroups(polarity: { addGroup(id: string): void }, upTo: number): void {
  for (let group = 21; group <= upTo; group++) polarity.addGroup(String(group));
}
