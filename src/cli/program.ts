/**
 * The command-line program: what Terraform cannot do with custom resources. `drift` reads every grant of a stack
 * back at its vendor (and repairs it with --fix), `access` reviews who holds what, `import` prints the constructs that
 * declare what a vendor holds.
 * Exit codes follow `terraform plan -detailed-exitcode`: 0 nothing to report, 2 drift found, 1 error; drift adds 3
 * when nothing but unread vendors stands in the way of a 0 (drift-run.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import { Command, CommanderError, Option } from 'commander';
import { VENDORS, VendorName } from '../contract';
import { environmentSecrets, redact } from '../errors';
import { codeText, terminalLines } from '../terminal-text';
import { ACCESS_FORMATS } from './access';
import { AccessOptions, runAccess } from './access-run';
import { DEFAULT_DEADLINE_SECONDS, DriftCliOptions, runDrift } from './drift-run';
import { ImportOptions, importCode, runImport } from './import';
import { UsageError } from './stack';

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

export function buildProgram(argv: string[], env: NodeJS.ProcessEnv, setCode: (code: number) => void): Command {
  const { name, version } = packageManifest();
  const program = new Command(name)
    .description('Reads SaaS permissions back from the vendors: drift report and repair, and import of existing grants as code.')
    .version(version, '-V, --version', 'print the version of this package')
    .exitOverride()
    .showHelpAfterError();
  program.command('drift')
    .description('Compare every grant of a stack\'s last apply with what its vendor holds now.\nExit code: 0 no drift, 2 drift found, 3 no drift found but a vendor could not be read, 1 error.')
    .option('--stack-dir <dir>', 'the synthesized stack directory (default: the only one under ./cdktf.out/stacks)')
    .option('--stack <name>', 'the stack under ./cdktf.out/stacks to read')
    .option('--json', 'print one JSON document on stdout and nothing else there')
    .option('--unmanaged', 'also list what the vendors hold in the managed scopes that no construct declares')
    .option('--fix', 'grant missing or changed grants again through terraform apply -replace (under the state lock), revoke expired ones, then read again')
    .option('--prune', 'remove unmanaged grants in scopes of providers with exclusiveScope (implies --unmanaged; asks first unless --yes)')
    .option('--prune-policy <name>', 'a Polytomic policy --prune may delete whole (repeatable)', (v: string, all: string[] = []) => [...all, v])
    .option('--yes', 'do not ask before --prune removes anything')
    .option('--audit-log <file>', 'append one JSON line per write --fix or --prune makes (vendor, grant, before, after, time)')
    .option('--deadline <seconds>', `read every vendor within this time; scopes not read by then are unknown (default ${DEFAULT_DEADLINE_SECONDS})`)
    .action(async (options: DriftCliOptions) => setCode(await runDrift(options, env, environmentSecrets(env))));
  program.command('access')
    .description('Who holds what in every scope the stack manages, read at the vendors: declared by a construct, expiring, expired or unmanaged.\nExit code: 0, or 2 when a vendor could not be read (the report says which).')
    .option('--stack-dir <dir>', 'the synthesized stack directory (default: the only one under ./cdktf.out/stacks)')
    .option('--stack <name>', 'the stack under ./cdktf.out/stacks to read')
    .option('--deadline <seconds>', `read every vendor within this time; scopes not read by then are reported unreadable (default ${DEFAULT_DEADLINE_SECONDS})`)
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
