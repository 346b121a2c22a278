/**
 * The manifest each vendor's revoke block carries in the synthesized stack (a `//` comment in cdk.tf.json, written by
 * constructs/permission-blocks.ts): which providers the stack has now, which manage their scopes alone, and the
 * construct path of each instance key. Read by the command-line tool and, for what a revoke prints, by the handler.
 */
import * as fs from 'fs';
import * as path from 'path';
import { EXPANDED_KEY_MARK, MANIFEST_KEY, StackManifest, VendorName } from './contract';

/** Every vendor block's manifest in `<dir>/cdk.tf.json`, with the block's resource type; throws when unreadable. */
export function readStackManifests(dir: string): Array<{ type: string; manifest: StackManifest }> {
  const config = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8')) as { resource?: Record<string, Record<string, { '//'?: Record<string, unknown> }>> };
  return Object.entries(config.resource ?? {}).flatMap(([type, blocks]) => Object.values(blocks).flatMap((block) => {
    const manifest = block['//']?.[MANIFEST_KEY] as StackManifest | undefined;
    return manifest ? [{ type, manifest }] : [];
  }));
}

/** Said where the path is not known: the construct is no longer in the code, or the stack is not cdktf's JSON. */
export const PATH_NOT_IN_CODE = '(no longer in the code)';

/** Construct paths by `<type> <vendor>`, read once per process (a run's agent serves one stack) and directory. */
const pathsByDir = new Map<string, Map<string, Record<string, string>>>();

/**
 * The construct path of an instance, for what its revoke prints: a plain grant's revoke instance keeps no path in
 * state (every byte there is written again with each instance Terraform applies, see BENCHMARKS.md). Provisioners run
 * in terraform's working directory, the synthesized stack's. A construct deleted from the code is not listed: its
 * revoke is named by its Terraform address and the grant's identity.
 */
export function constructPathOf(type: string, vendor: VendorName, key: string, dir = process.cwd()): string | undefined {
  let byBlock = pathsByDir.get(dir);
  if (!byBlock) {
    byBlock = new Map();
    try {
      for (const { type: t, manifest } of readStackManifests(dir)) if (manifest.paths) byBlock.set(`${t} ${manifest.vendor}`, manifest.paths);
    } catch {
      // No readable cdk.tf.json here: only the address and identity name the grant.
    }
    pathsByDir.set(dir, byBlock);
  }
  const paths = byBlock.get(`${type} ${vendor}`);
  if (!paths) return undefined;
  if (Object.prototype.hasOwnProperty.call(paths, key)) return paths[key];
  const mark = key.indexOf(EXPANDED_KEY_MARK);
  const listStart = mark >= 0 ? key.slice(0, mark + EXPANDED_KEY_MARK.length) : undefined;
  return listStart !== undefined && Object.prototype.hasOwnProperty.call(paths, listStart) ? paths[listStart] : undefined;
}
