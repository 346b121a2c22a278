/**
 * The lifecycle handler: run by Terraform's local-exec provisioners as `node lifecycle-handler.cjs <operation>`
 * with the instance's payload in SAAS_PERMISSIONS_PAYLOAD. It validates, calls the vendor, prints one line per
 * action, and on failure prints a redacted message and exits non-zero, which fails the apply.
 * It never imports cdktf: it must start fast and run from a synthesized stack directory alone.
 */
import {
  ADDRESS_ENV, CONTRACT_VERSION, Connection, DEFAULT_HTTP_SETTINGS, HttpSettings, IDENTITY_FIELDS, OPERATIONS, Operation,
  PAYLOAD_ENV, Payload, RevokePayload, VendorName, normalizeText, parseStoredGrant, splitInstanceKey,
} from './contract';
import { CancelledError, ConfigurationError, SaasPermissionError, UnconfirmedRevokeError, ValidationError, environmentSecrets, redact } from './errors';
import { FieldChecker, PATH_SEGMENT_FIELDS, checkBritive, checkKoreEntity, checkPolarity, checkPolytomic, unaddressableSegment } from './validation';
import { terminalLines, terminalText } from './terminal-text';
import { VENDOR_CLIENTS } from './vendors';
import { openSession } from './vendors/session';
import { RevokeSettings, requireTrusted, revokeSettings } from './stored-settings';
import { AGENT_OPERATION, serveAgent } from './agent';
import { PATH_NOT_IN_CODE, constructPathOf } from './stack-manifest';

import { FORGET_ENV, forgetAdvice, forgetWarning, forgotten } from './forget';
import { preflight } from './preflight';

export { FORGET_ENV };

/** One handler run: a grant, the provider settings to reach its vendor, and where it is declared. */
export interface Task {
  readonly operation: Operation;
  readonly vendor: VendorName;
  readonly path: string;
  /** The stack's name, where the payload says it (a revoke's: its construct may be gone from the code). */
  readonly stack?: string;
  readonly address: string;
  readonly removalPolicy: 'destroy' | 'retain';
  readonly connection: Connection;
  readonly http?: Partial<HttpSettings>;
  readonly resource: Record<string, unknown>;
  /** A revoke's settings found only in state: used only once confirmed (see stored-settings.ts). */
  readonly unconfirmed?: RevokeSettings['unconfirmed'];
}

function parseJson(raw: string | undefined): Payload | RevokePayload {
  if (!raw) throw new ConfigurationError(`no payload: ${PAYLOAD_ENV} is empty (the handler runs from the stack's provisioners)`);
  let payload: Payload | RevokePayload;
  try {
    payload = JSON.parse(raw) as Payload | RevokePayload;
  } catch (error) {
    throw new ConfigurationError(`the payload in ${PAYLOAD_ENV} is not JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || !(payload.vendor in VENDOR_CLIENTS)) {
    throw new ConfigurationError(`the payload names no known vendor: ${JSON.stringify((payload as { vendor?: unknown })?.vendor)}`);
  }
  if (typeof payload.v !== 'number' || payload.v > CONTRACT_VERSION) {
    throw new ConfigurationError(`${payload.vendor}: the payload has contract version ${payload.v}, this handler reads up to ${CONTRACT_VERSION}: synthesize the stack with the matching library`);
  }
  return payload;
}

/**
 * A revoke names its grant by the identity in state. Its provider's settings are the current ones when the stack
 * still has that provider (literals of the provisioner), else the ones stored with the grant (used only when
 * declared or confirmed, see stored-settings.ts), else the defaults.
 */
function revokeTask(p: RevokePayload, address: string): Task {
  const fields = IDENTITY_FIELDS[p.vendor];
  if (!Array.isArray(p.identity) || p.identity.length !== fields.length) {
    throw new ConfigurationError(`${p.vendor}: ${address}: the identity in state is ${JSON.stringify(p.identity)}, expected values for ${fields.join(', ')}`);
  }
  if (typeof p.key !== 'string' || typeof p.providers !== 'object' || p.providers === null) {
    throw new ConfigurationError(`${p.vendor}: ${address}: the revoke payload has no instance key or providers: synthesize the stack with the matching library`);
  }
  const stored = parseStoredGrant(p.stored);
  const { providerId } = splitInstanceKey(p.vendor, p.key);
  const settings = revokeSettings(p.vendor, providerId, p.providers, stored);
  let path = stored.path;
  return {
    operation: 'revoke',
    vendor: p.vendor,
    // Looked up only when a line names the construct (a failure, a retained grant): most revokes never read it.
    get path() {
      return (path ??= constructPathOf(address.slice(0, address.indexOf('.')), p.vendor, p.key) ?? PATH_NOT_IN_CODE);
    },
    ...(typeof p.stack === 'string' ? { stack: p.stack } : {}),
    address,
    removalPolicy: stored.removal ?? 'destroy',
    connection: settings.connection,
    http: settings.http,
    resource: Object.fromEntries(fields.map((f, i) => [f, p.identity[i]])),
    ...(settings.unconfirmed ? { unconfirmed: settings.unconfirmed } : {}),
  };
}

/** `address` is the instance's Terraform address (SAAS_PERMISSIONS_ADDRESS), for messages. */
export function parseTask(operation: Operation, raw: string | undefined, address = '(Terraform address not given)'): Task {
  const payload = parseJson(raw);
  if ('identity' in payload) {
    if (operation !== 'revoke') throw new ConfigurationError(`${payload.vendor}: ${address}: a revoke payload was given to "${operation}"`);
    return revokeTask(payload, address);
  }
  const { vendor, path, connection, http, resource } = payload;
  return { operation, vendor, path, address, removalPolicy: 'destroy', connection, http, resource: normalizeText(resource as unknown as Record<string, unknown>) };
}

/** Values from other resources arrive only now; they get the checks literals got at synth time. */
export function validateResolved(task: Task): void {
  const checker = new FieldChecker();
  const r = task.resource as any;
  switch (task.vendor) {
    case 'polarity': checkPolarity(checker, r); break;
    case 'britive': checkBritive(checker, r); break;
    case 'kore':
      checkKoreEntity(checker, r);
      checker.nonEmptyString('users[]', r.user);
      break;
    case 'polytomic': checkPolytomic(checker, r); break;
  }
  if (checker.problems.length > 0) {
    const list = checker.problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new ValidationError(`${task.vendor}: ${task.path}: invalid value resolved at apply time: ${list}. Nothing was sent to the vendor.`);
  }
}

export async function runTask(task: Task, env: NodeJS.ProcessEnv, secrets: string[], signal?: AbortSignal): Promise<string> {
  if (task.operation === 'revoke' && task.removalPolicy === 'retain') {
    return `${task.vendor}: ${task.path} has removalPolicy "retain": left as it is at the vendor`;
  }
  if (task.operation === 'revoke' && forgotten(task, env)) {
    return `${task.vendor}: ${task.address} (${task.path}) let go at your request (${FORGET_ENV}): the vendor was not asked; check it there by hand`;
  }
  if (task.operation === 'apply') validateResolved(task);
  const client = VENDOR_CLIENTS[task.vendor];
  if (task.operation === 'revoke') {
    // A grant whose identity no request path can carry was refused before any call when it was applied: there is
    // nothing at the vendor to take away, and failing would keep the instance (and every later apply) stuck.
    const unaddressable = PATH_SEGMENT_FIELDS[task.vendor].find((f) => unaddressableSegment(String(task.resource[f] ?? '')));
    if (unaddressable) {
      return `${task.vendor}: ${task.path}: ${unaddressable} ${JSON.stringify(task.resource[unaddressable])} cannot be part of a request path, so no grant can exist under it: nothing to revoke`;
    }
  }
  if (task.operation === 'revoke') requireTrusted(task.vendor, task.address, task, env);
  await preflight(env);
  const session = await openSession(client, task.connection, { ...DEFAULT_HTTP_SETTINGS, ...task.http }, env, secrets, signal);
  return client[task.operation](task.resource, session);
}

/**
 * Aborts when the terraform process that started this run is gone (killed, crashed): the run must not go on
 * granting or revoking behind the back of whatever runs next. Checked on a timer, so a run waiting out a 429 stops too.
 */
export function watchParent(intervalMs = 200): AbortController {
  const controller = new AbortController();
  const parent = process.ppid;
  // Orphans are re-parented to PID 1: a handler whose terraform died before this line starts as its child. PID 1 is
  // terraform only where a container runs it as its first process.
  if (parent === 1 && !initIsTerraform()) {
    controller.abort('the terraform process that started this run was gone before it began');
    return controller;
  }
  if (parent <= 1) return controller;
  const timer = setInterval(() => {
    if (process.ppid !== parent) {
      controller.abort(`the terraform process (pid ${parent}) that started this run is gone`);
      clearInterval(timer);
    }
  }, intervalMs);
  timer.unref();
  return controller;
}

/** Whether PID 1 is terraform itself (a container's first process); unknown (no /proc) counts as yes. */
function initIsTerraform(): boolean {
  try {
    return (require('fs') as typeof import('fs')).readFileSync('/proc/1/comm', 'utf8').trim() === 'terraform';
  } catch {
    return true;
  }
}

/** What one grant's run prints: `code` 0 with a line for stdout, or non-zero with lines for stderr. */
export interface Outcome {
  readonly code: number;
  readonly text: string;
}

/**
 * One grant, from its operation, payload and address to what its provisioner prints and exits with. The same in a
 * handler process of its own and in the per-run agent (src/agent.ts), so both modes say and do the same.
 */
export async function runOperation(
  argOperation: string | undefined, rawPayload: string | undefined, address: string | undefined, env: NodeJS.ProcessEnv, secrets: string[], signal?: AbortSignal,
): Promise<Outcome> {
  let task: Task | undefined;
  try {
    const operation = argOperation as Operation;
    if (!OPERATIONS.includes(operation)) {
      throw new ConfigurationError(`usage: lifecycle-handler <${OPERATIONS.join('|')}>, got ${JSON.stringify(argOperation)}`);
    }
    task = parseTask(operation, rawPayload, address);
    const line = await runTask(task, env, secrets, signal);
    const unused = !(task.operation === 'revoke' && forgotten(task, env)) && forgetWarning(env);
    return { code: 0, text: `${terminalText(redact(line, secrets))}
${unused ? `${terminalText(unused)}
` : ''}` };
  } catch (error) {
    // Vendor text reaches `terraform apply` output: each line is redacted, then escaped, so nothing a vendor sent can
    // start a line of its own or drive the terminal. Only a stack trace keeps its line breaks.
    const lines = error instanceof SaasPermissionError ? [terminalText(redact(error.message, secrets))]
      : [terminalLines(redact(`unexpected error: ${(error as Error)?.stack ?? error}`, secrets))];
    if (task && !(error instanceof CancelledError)) {
      lines.push(`  construct ${task.path}, Terraform instance ${task.address}`);
      if (error instanceof UnconfirmedRevokeError) {
        lines.push(`  ${forgetAdvice(task, env)}`);
      }
      const unused = forgetWarning(env);
      if (unused) lines.push(unused);
    }
    return { code: 1, text: `${lines.map((line, i) => (i === 0 ? line : terminalText(redact(line, secrets)))).join('\n')}\n` };
  }
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  if (argv[0] === AGENT_OPERATION) return serveAgent(argv.slice(1), env, runOperation);
  const secrets = environmentSecrets(env);
  const parent = watchParent();
  const outcome = await runOperation(argv[0], env[PAYLOAD_ENV], env[ADDRESS_ENV], env, secrets, parent.signal);
  (outcome.code === 0 ? process.stdout : process.stderr).write(outcome.text);
  return outcome.code;
}
