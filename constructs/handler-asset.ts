import * as fs from 'fs';
import * as path from 'path';
import { AssetType, TerraformAsset, TerraformStack } from './core';
import { Construct } from 'constructs';
import { HANDLER_FILE_NAME, HANDLER_SCRIPT_NAME } from '../src/contract';

const ASSET_ID = 'SaasPermissionsLifecycleHandler';

/** Finds the bundled handler whether this file runs from constructs/ (ts) or lib/constructs/ (compiled). */
function handlerBundlePath(name: string = HANDLER_FILE_NAME): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'dist', name);
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) {
      throw new Error(`cdktf-saas-permissions: the lifecycle handler bundle dist/${name} is missing: run "npm run build" in the package`);
    }
  }
}

/** One copy of the handler per stack, so the synthesized stack directory carries everything its provisioners run. */
export function handlerAsset(scope: Construct): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(ASSET_ID) as TerraformAsset | undefined;
  return existing ?? new TerraformAsset(stack, ASSET_ID, { path: handlerBundlePath(), type: AssetType.FILE });
}

/** The provisioners' script (src/agent-client.sh), one copy per stack beside the handler. */
export function handlerScriptAsset(scope: Construct): TerraformAsset {
  const stack = TerraformStack.of(scope);
  const existing = stack.node.tryFindChild(`${ASSET_ID}Script`) as TerraformAsset | undefined;
  return existing ?? new TerraformAsset(stack, `${ASSET_ID}Script`, { path: handlerBundlePath(HANDLER_SCRIPT_NAME), type: AssetType.FILE });
}
