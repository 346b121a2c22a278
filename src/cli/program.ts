/**
 * The command-line program: what Terraform cannot do with custom resources. `drift` reads every grant of a stack
 * back at its vendor (and repairs it with --fix), `access` reviews who holds what, `import` prints the constructs that
 * declare what a vendor holds.
 * Exit codes follow `terraform plan -detailed-exitcode`: 0 nothing to report, 2 drift found, 1 error.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import { Command, CommanderError, Option } from 'commander';
import { VENDORS, VendorName } from '../contract';
import { environmentSecrets, redact } from '../errors';
import { codeText, terminalLines, terminalText } from '../terminal-text';
import { ACCESS_FORMATS } from './access';
import { AccessOptions, runAccess } from './access-run';
import { DriftEntry, DriftResult, collectDrift, fixDrift, openSessions, pruneUnmanaged } from './drift';
import { expiredAddresses, revokeExpired } from './expiry';
import { ImportOptions, importCode, runImport } from './import';
import { driftDocument, driftTable } from './report';
import { UsageError, findStackDir, loadStack, pendingApply } from './stack';

/**
 * This package's name (cdktf-saas-permissions, or its CDK Terrain twin: it names the command and the imports it
 * prints) and version, from the package.json of the package this file is installed in.
 */
export function packageManifest(): { name: string; version: string } {
  for (let dir = __dirname; path.dirname(dir) !== dir; dir = path.dirname(dir)) {
    const file = path.join(dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const manifest = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
    if (manifest.name?.endsWith('saas-permissions')) return { name: manifest.name, version: manifest.version ?? 'unknown' };
  }
  return { name: 'cdktf-saas-permissions', version: 'unknown' };
}

export function packageName(): string {
  return packageManifest().name;
}

interface DriftOptions { stackDir?: string; json?: boolean; unmanaged?: boolean; fix?: boolean; prune?: boolean; yes?: boolean }

async function confirm(question: string): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  return /^y(es)?$/i.test(answer.trim());
}

function exitCode(entries: readonly DriftEntry[]): number {
  return entries.every((e) => e.status === 'in-sync') ? 0 : 2;
}

async function drift(options: DriftOptions, env: NodeJS.ProcessEnv): Promise<number> {
  const secrets = environmentSecrets(env);
  const lookForUnmanaged = Boolean(options.unmanaged || options.prune);
  const dir = findStackDir(options.stackDir);
  const stack = await loadStack(dir);
  const say = (line: string) => (options.json ? process.stderr : process.stdout).write(`${line}\n`);
  if (stack.grants.length === 0) {
    if (options.json) process.stdout.write(`${JSON.stringify(driftDocument([], false), null, 2)}\n`);
    say(`No grants in state in ${dir}: nothing to compare (apply the stack first).`);
    return 0;
  }
  // The plan needs no vendor: it runs while the vendors are read.
  const planned = pendingApply(dir, expiredAddresses(stack.grants, Date.now()));
  const sessions = await openSessions(stack, env, secrets);
  let result: DriftResult = await collectDrift(stack, sessions, { unmanaged: lookForUnmanaged, secrets });
  const pending = await planned;
  if (pending.pending === undefined) process.stderr.write(`Could not tell whether the synthesized stack differs from the last apply: ${terminalText(redact(pending.reason ?? '', secrets))}\n`);
  const report = () => {
    const doc = driftDocument(result.entries, pending.pending === true);
    process.stdout.write(options.json ? `${codeText(JSON.stringify(doc, null, 2))}\n` : driftTable(doc, lookForUnmanaged));
  };
  const repairs = (options.fix || options.prune) && result.entries.some((e) => e.status !== 'in-sync');
  if (repairs && pending.pending !== false) {
    // Repairs act on what the last apply declared: with code not yet applied, they could bring back a grant the
    // code no longer declares, or remove one it now does.
    report();
    process.stderr.write(`Nothing was repaired: ${pending.pending ? 'the synthesized stack differs from what was last applied' : 'it is not known whether the synthesized stack matches the last apply'}. Deploy the stack first, then run drift --fix or --prune again.\n`);
    return 1;
  }
  let fixed = new Set<string>();
  let failed = new Map<string, string>();
  let acted = false;
  if (options.prune && result.unmanaged.length > 0) {
    const list = result.unmanaged.map((u) => `  ${u.entry.vendor} ${codeText(JSON.stringify(u.entry.identity))}`).join('\n');
    if (!options.yes && !process.stdin.isTTY) {
      report();
      process.stderr.write(`--prune would remove ${result.unmanaged.length} unmanaged grant(s):\n${list}\nNothing was removed: there is no terminal to confirm on; pass --yes to remove them.\n`);
      return 1;
    }
    const go = options.yes || await confirm(`Remove these ${result.unmanaged.length} unmanaged grant(s) at the vendors?\n${list}\n[y/N] `);
    if (go) {
      const failures = await pruneUnmanaged(result.unmanaged, sessions, secrets);
      for (const f of failures) process.stderr.write(`prune failed: ${terminalText(f)}\n`);
      acted = true;
    } else {
      process.stderr.write('Nothing was removed.\n');
    }
  }
  if (options.fix) {
    ({ fixed, failed } = await fixDrift(stack, result, sessions, secrets));
    const expired = await revokeExpired(stack, result, sessions, secrets);
    expired.fixed.forEach((a) => fixed.add(a));
    expired.failed.forEach((reason, a) => failed.set(a, reason));
    acted = true;
  }
  if (acted) {
    result = await collectDrift(stack, sessions, { unmanaged: lookForUnmanaged, secrets });
    for (const e of result.entries) {
      if (e.address && fixed.has(e.address)) e.fixed = true;
      const reason = e.address ? failed.get(e.address) : undefined;
      if (reason) e.detail += ` The repair failed: ${reason}`;
    }
  }
  report();
  if (result.readOk === 0 && result.readFailed > 0) {
    process.stderr.write('No vendor could be read: check the URL and credential variables the report names (the same ones apply uses).\n');
    return 1;
  }
  return exitCode(result.entries);
}

export function buildProgram(argv: string[], env: NodeJS.ProcessEnv, setCode: (code: number) => void): Command {
  const { name, version } = packageManifest();
  const program = new Command(name)
    .description('Reads SaaS permissions back from the vendors: drift report and repair, and import of existing grants as code.')
    .version(version, '-V, --version', 'print the version of this package')
    .exitOverride()
    .showHelpAfterError();
  program.command('drift')
    .description('Compare every grant of a stack\'s last apply with what its vendor holds now.\nExit code: 0 no drift, 2 drift found, 1 error.')
    .option('--stack-dir <dir>', 'the synthesized stack directory (default: the only one under ./cdktf.out/stacks)')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .option('--unmanaged', 'also list what the vendors hold in the managed scopes that no construct declares')
    .option('--fix', 'bring missing or changed grants back to what the last apply declared, revoke expired ones, then read again')
    .option('--prune', 'remove unmanaged grants at the vendors (implies --unmanaged; asks first unless --yes)')
    .option('--yes', 'do not ask before --prune removes anything')
    .action(async (options: DriftOptions) => setCode(await drift(options, env)));
  program.command('access')
    .description('Who holds what in every scope the stack manages, read at the vendors: declared by a construct, expiring, expired or unmanaged.\nExit code: 0, or 2 when a vendor could not be read (the report says which).')
    .option('--stack-dir <dir>', 'the synthesized stack directory (default: the only one under ./cdktf.out/stacks)')
    .addOption(new Option('--format <format>', 'table for a terminal, json, csv for a spreadsheet, html: one self-contained file').choices(ACCESS_FORMATS).default('table'))
    .option('--output <file>', 'write the report to this file instead of stdout')
    .action(async (options: AccessOptions) => setCode(await runAccess(options, env, environmentSecrets(env))));
  program.command('import')
    .description('Print TypeScript that declares what a vendor holds in a scope, ready to paste into a stack.\nWith --stack-dir or --stack, read with one of that stack\'s providers and mark what the stack declares already.')
    .addArgument(new Command().createArgument('<vendor>', 'the vendor').choices(VENDORS))
    .option('--integration <id>', 'Polarity: the integration to read')
    .option('--profile <id>', 'Britive: the profile (pap) to read')
    .option('--bot <id>', 'Kore.ai: the application (bot) id')
    .option('--connector <id>', 'Kore.ai: the connector id')
    .option('--entity <id>', 'Kore.ai: one permission entity (default: every entity of the connector)')
    .option('--stack-dir <dir>', 'read with a provider of this synthesized stack, and leave out the grants it declares')
    .option('--stack <name>', 'like --stack-dir, for the stack of this name under ./cdktf.out/stacks')
    .option('--provider <path>', 'the stack\'s provider to read with: its construct path or id (default: the stack\'s only one of the vendor)')
    .addOption(new Option('--provider-id <variable>', 'the provider variable the printed code passes as `provider`'))
    .option('--output <file>', 'write the code (or the JSON) to this file instead of stdout')
    .option('--json', 'print the grants as drift report entries instead of code')
    .action(async (vendor: VendorName, options: Record<string, string | boolean | undefined>) => {
      const secrets = environmentSecrets(env);
      const result = await runImport(vendor, options as ImportOptions, env, secrets);
      const command = `${name} ${argv.slice(2).join(' ')}`.trim();
      const text = options.json ? `${codeText(JSON.stringify({ grants: result.entries }, null, 2))}\n` : importCode(name, command, result, vendor, options.providerId as string | undefined);
      if (typeof options.output === 'string') {
        fs.writeFileSync(options.output, text);
        const constructs = result.lines.filter((l) => 'className' in l).length;
        process.stderr.write(`Wrote ${constructs} construct(s) and ${result.lines.length - constructs} comment(s) to ${options.output}.\n`);
      } else {
        process.stdout.write(text);
      }
      setCode(0);
    });
  return program;
}

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let code = 1;
  const program = buildProgram(argv, env, (c) => { code = c; });
  try {
    await program.parseAsync(argv);
    return code;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    const message = error instanceof UsageError ? error.message : (error as Error).message ?? String(error);
    process.stderr.write(`${program.name()}: ${terminalLines(redact(message, environmentSecrets(env)))}\n`);
    return 1;
  }
}
