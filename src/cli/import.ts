/**
 * `import`: reads what a vendor holds in a scope and prints the constructs that declare it, ready to paste into a
 * stack. A first deploy of that code adopts the grants (each apply finds them there) and changes nothing. With a
 * stack, it reads with one of the stack's providers (its URL and variables) and leaves out what the stack declares.
 */
import { DEFAULT_CONNECTIONS, DEFAULT_HTTP_SETTINGS, VendorName } from '../contract';
import { printableUrl, redact } from '../errors';
import { stringLiteral, terminalText } from '../terminal-text';
import { VENDOR_CLIENTS } from '../vendors';
import { listEntities } from '../vendors/kore';
import { PolicyBody } from '../vendors/polytomic';
import { openSession } from '../vendors/session';
import { VendorSession } from '../vendors/vendor';
import { DriftEntry } from './drift';
import { ImportLine, checkConstruct } from './import-checks';
import { ImportStack, importStackDir, readImportStack } from './import-stack';
import { UsageError } from './stack';
import { VENDOR_VIEWS } from './vendors';
import { ImportItem } from './vendors/view';

export interface ImportOptions {
  readonly integration?: string;
  readonly profile?: string;
  readonly bot?: string;
  readonly connector?: string;
  readonly entity?: string;
  /** The variable the printed code passes as `provider`. */
  readonly providerId?: string;
  readonly stackDir?: string;
  readonly stack?: string;
  /** The stack's provider to read with: its construct path or id. */
  readonly provider?: string;
}

export interface ImportResult {
  readonly lines: ImportLine[];
  readonly entries: DriftEntry[];
  /** Where the vendor was read: its URL, where that came from, and the provider whose settings were used. */
  readonly source: { readonly url: string; readonly urlSource: string; readonly provider?: string; readonly providerCount: number };
  readonly scope: string;
}

function required(value: string | undefined, option: string, vendor: string): string {
  if (!value) throw new UsageError(`import ${vendor} needs ${option}`);
  return value;
}

function scopeText(vendor: VendorName, o: ImportOptions): string {
  switch (vendor) {
    case 'polarity': return `integration ${o.integration}`;
    case 'britive': return `profile ${o.profile}`;
    case 'kore': return `${o.entity ? `entity ${o.entity} of ` : ''}connector ${o.connector} of bot ${o.bot}`;
    case 'polytomic': return 'the organizations the key reaches';
  }
}

/** The scopes to read: the one the options name, or for Kore without --entity every entity of the connector. */
async function importItems(vendor: VendorName, options: ImportOptions, session: VendorSession): Promise<ImportItem[]> {
  const client = VENDOR_CLIENTS[vendor];
  const view = VENDOR_VIEWS[vendor];
  const scopes: unknown[] = [];
  switch (vendor) {
    case 'polarity': scopes.push({ integrationId: required(options.integration, '--integration <id>', vendor) }); break;
    case 'britive': scopes.push({ profileId: required(options.profile, '--profile <id>', vendor) }); break;
    case 'kore': {
      const botId = required(options.bot, '--bot <id>', vendor);
      const connectorId = required(options.connector, '--connector <id>', vendor);
      if (options.entity) {
        scopes.push({ botId, connectorId, entityId: options.entity });
        break;
      }
      // The list carries every entity's users: one read for the whole connector.
      const items: ImportItem[] = [];
      for (const entity of await listEntities(session, { botId, connectorId }, 'list the permission entities')) {
        items.push(...view.importItems({ botId, connectorId, entityId: entity.entityId }, { entity, users: entity.userIds }));
      }
      return items;
    }
    case 'polytomic': scopes.push({}); break;
  }
  const items: ImportItem[] = [];
  for (const scope of scopes) {
    const read = await client.read(scope, session);
    if (!read.exists) throw new UsageError(`${vendor}: ${read.detail}`);
    // Every organization holds built-in policies: a list without one is of no organization, so "nothing" is unknown.
    if (vendor === 'polytomic' && !(read.held as PolicyBody[]).some((p) => p.system)) {
      throw new UsageError(`polytomic at ${printableUrl(session.baseUrl)}: the policy list shows no built-in policy, so this key reaches no organization there; check ${session.urlSource} and the key`);
    }
    items.push(...view.importItems(scope, read.held));
  }
  return items;
}

/**
 * A TypeScript literal on one line; strings as JSON writes them, with every control and bidi character as \uXXXX, so
 * no vendor text can end the literal or the line, or show the code in another order than it has (Trojan Source).
 */
function literal(value: unknown): string {
  if (typeof value === 'string') return stringLiteral(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    return `{ ${Object.entries(value).map(([k, v]) => `${/^[A-Za-z_$][\w$]*$/.test(k) ? k : literal(k)}: ${literal(v)}`).join(', ')} }`;
  }
  return JSON.stringify(value);
}

/**
 * Construct ids must be unique in a scope, also against the stack's own children: an id already taken gets the
 * first free -2, -3, ... (stable for the same vendor state, since the views sort what they print).
 */
function uniqueIds(lines: ImportLine[], taken: ReadonlySet<string>): void {
  const used = new Set(taken);
  for (const line of lines) {
    if (!('className' in line)) continue;
    let id = line.id;
    for (let n = 2; used.has(id); n++) id = `${line.id}-${n}`;
    line.id = id;
    used.add(id);
  }
}

export function importCode(packageName: string, command: string, result: ImportResult, vendor: VendorName, providerId?: string): string {
  const { lines, source } = result;
  const classes = [...new Set(lines.flatMap((i) => ('className' in i ? [i.className] : [])))].sort();
  const read = `${vendor} at ${printableUrl(source.url)} (${source.urlSource}${source.provider ? `, provider ${source.provider}` : ''})`;
  const out = [`// Generated by \`${terminalText(command)}\`: what ${terminalText(read)} held in ${terminalText(result.scope)} then.`];
  if (classes.length > 0) out.push('// With the imports at the top of the file:', `import { ${classes.join(', ')} } from '${packageName}';`, '');
  if (classes.length > 0) out.push('// In the stack\'s constructor ("this" is the stack):');
  if (classes.length > 0 && !providerId && source.providerCount > 1) {
    out.push(`// The stack has ${source.providerCount} ${vendor} providers: add \`provider\` (the variable holding ${terminalText(source.provider ?? '?')}) to each, or run again with --provider-id <variable>.`);
  }
  for (const line of lines) {
    // Vendor text in a comment: no line terminator may end the comment and start code, no bidi control reorder it.
    if ('managedBy' in line && line.managedBy) out.push(`// Already managed by ${terminalText(line.managedBy)}: ${terminalText(line.comment)}.`);
    else if ('comment' in line) out.push(`// Not declared: ${terminalText(line.comment)}.`);
    else {
      const provider = providerId ? `, provider: ${providerId}` : '';
      out.push(`new ${line.className}(this, ${literal(line.id)}, ${literal(line.props).replace(/ }$/, `${provider} }`)});`);
    }
  }
  if (lines.length === 0) {
    out.push(`// Nothing to declare: ${terminalText(read)} holds no grant in ${terminalText(result.scope)}. If you expected some, check that this is the tenant you meant.`);
  }
  return `${out.join('\n')}\n`;
}

async function target(vendor: VendorName, options: ImportOptions, env: NodeJS.ProcessEnv, secrets: string[]): Promise<{ session: VendorSession; stack?: ImportStack }> {
  if (options.stackDir === undefined && options.stack === undefined && options.provider === undefined) {
    return { session: await openSession(VENDOR_CLIENTS[vendor], DEFAULT_CONNECTIONS[vendor], DEFAULT_HTTP_SETTINGS, env, secrets) };
  }
  const stack = readImportStack(importStackDir(options.stackDir, options.stack), vendor, options.provider);
  const { connection, http } = stack.provider.settings;
  return { session: await openSession(VENDOR_CLIENTS[vendor], connection, { ...DEFAULT_HTTP_SETTINGS, ...http }, env, secrets), stack };
}

export async function runImport(vendor: VendorName, options: ImportOptions, env: NodeJS.ProcessEnv, secrets: string[]): Promise<ImportResult> {
  const { session, stack } = await target(vendor, options, env, secrets);
  const items = await importItems(vendor, options, session);
  const lines = items.flatMap((item): ImportLine[] => ('comment' in item ? [{ comment: redact(item.comment, secrets) }] : checkConstruct(vendor, item, stack?.declared ?? [], secrets)));
  uniqueIds(lines, stack?.takenIds ?? new Set());
  const entries: DriftEntry[] = [];
  for (const line of lines) {
    if (!('grants' in line)) continue;
    // The same grants a drift report lists: for Kore one per user.
    for (const grant of line.grants) {
      entries.push({
        vendor, provider: stack?.provider.path ?? options.providerId ?? null, construct: null, address: null, identity: grant.identity, status: 'unmanaged',
        declared: null, actual: vendor === 'kore' ? { present: true } : grant.actual,
        detail: `Held by the vendor; the printed construct ${line.id} declares it.`,
      });
    }
  }
  const source = { url: session.baseUrl, urlSource: session.urlSource, provider: stack?.provider.path, providerCount: stack?.providerCount ?? 1 };
  return { lines, entries, source, scope: scopeText(vendor, options) };
}
