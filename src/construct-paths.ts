/**
 * The construct path of a revoke instance, for what its revoke prints. A plain grant's revoke instance keeps no path
 * in state (every byte there is written again with each instance Terraform applies, see BENCHMARKS.md); the
 * synthesized stack lists the path of each instance key in its manifest (`//` of each revoke block in cdk.tf.json,
 * in terraform's working directory, where provisioners run). A construct deleted from the code is not listed: its
 * revoke is named by its Terraform address and the grant's identity.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXPANDED_KEY_MARK, MANIFEST_KEY, VendorName } from './contract';

/** Said where the path is not known: the construct is no longer in the code, or the stack is not cdktf's JSON. */
export const PATH_NOT_IN_CODE = '(no longer in the code)';

type Manifests = Map<string, Record<string, string>>;
/** Read once per process (a run's agent serves every grant of one synthesized stack) and per working directory. */
const cache = new Map<string, Manifests>();

function readPaths(dir: string): Manifests {
  const found: Manifests = new Map();
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, { '//'?: Record<string, unknown> }>> };
    for (const [type, blocks] of Object.entries(config.resource ?? {})) {
      for (const block of Object.values(blocks)) {
        const manifest = block['//']?.[MANIFEST_KEY] as { vendor?: string; paths?: Record<string, string> } | undefined;
        if (manifest?.vendor && manifest.paths) found.set(`${type} ${manifest.vendor}`, manifest.paths);
      }
    }
  } catch {
    // No readable cdk.tf.json here: only the address and identity name the grant.
  }
  return found;
}

export function constructPathOf(type: string, vendor: VendorName, key: string, dir = process.cwd()): string | undefined {
  let manifests = cache.get(dir);
  if (!manifests) {
    manifests = readPaths(dir);
    cache.set(dir, manifests);
  }
  const paths = manifests.get(`${type} ${vendor}`);
  if (!paths) return undefined;
  const mark = key.indexOf(EXPANDED_KEY_MARK);
  return Object.prototype.hasOwnProperty.call(paths, key) ? paths[key]
    : mark >= 0 && Object.prototype.hasOwnProperty.call(paths, key.slice(0, mark + EXPANDED_KEY_MARK.length)) ? paths[key.slice(0, mark + EXPANDED_KEY_MARK.length)]
      : undefined;
}
