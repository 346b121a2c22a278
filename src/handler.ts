/**
 * The lifecycle handler: run by Terraform's local-exec provisioners as `node lifecycle-handler.cjs <operation>`
 * with the instance's payload in SAAS_PERMISSIONS_PAYLOAD. It validates, calls the vendor, prints one line per
 * action, and on failure prints a redacted message and exits non-zero, which fails the apply.
 * It never imports cdktf: it must start fast and run from a synthesized stack directory alone.
 */
import {
  CONTRACT_VERSION, DEFAULT_HTTP_SETTINGS, IDENTITY_FIELDS, OPERATIONS, Operation, PAYLOAD_ENV, Payload, RevokePayload, VendorName,
} from './contract';
import { ConfigurationError, SaasPermissionError, ValidationError, redact } from './errors';
import { createHttpClient } from './http';
import { FieldChecker, checkBritive, checkKoreEntity, checkPolarity, checkPolytomic } from './validation';
import { VendorModule } from './vendors/vendor';
import { polarity } from './vendors/polarity';
import { britive } from './vendors/britive';
import { kore } from './vendors/kore';
import { polytomic } from './vendors/polytomic';

const VENDORS: { readonly [V in VendorName]: VendorModule<Extract<Payload, { vendor: V }>> } = {
  polarity, britive, kore, polytomic,
};

export function parsePayload(raw: string | undefined): Payload {
  if (!raw) throw new ConfigurationError(`no payload: ${PAYLOAD_ENV} is empty (the handler runs from the stack's provisioners)`);
  let payload: Payload;
  try {
    payload = JSON.parse(raw) as Payload;
  } catch (error) {
    throw new ConfigurationError(`the payload in ${PAYLOAD_ENV} is not JSON: ${(error as Error).message}`);
  }
  if (typeof payload !== 'object' || payload === null || !(payload.vendor in VENDORS)) {
    throw new ConfigurationError(`the payload names no known vendor: ${JSON.stringify((payload as { vendor?: unknown })?.vendor)}`);
  }
  if (typeof payload.v !== 'number' || payload.v > CONTRACT_VERSION) {
    throw new ConfigurationError(`${payload.vendor}: the payload has contract version ${payload.v}, this handler reads up to ${CONTRACT_VERSION}: synthesize the stack with the matching library`);
  }
  return 'identity' in payload ? fromRevokePayload(payload as RevokePayload) : payload;
}

/** A revoke payload names its grant by identity values only; the vendor modules read them as fields of `resource`. */
function fromRevokePayload(payload: RevokePayload): Payload {
  const { identity, removalPolicy, ...rest } = payload;
  const fields = IDENTITY_FIELDS[payload.vendor];
  if (!Array.isArray(identity) || identity.length !== fields.length) {
    throw new ConfigurationError(`${payload.vendor}: ${payload.path}: the identity in state is ${JSON.stringify(identity)}, expected values for ${fields.join(', ')}`);
  }
  return { ...rest, removalPolicy: removalPolicy ?? 'destroy', resource: Object.fromEntries(fields.map((f, i) => [f, identity[i]])) } as unknown as Payload;
}

/** Values from other resources arrive only now; they get the checks literals got at synth time. */
export function validateResolved(payload: Payload): void {
  const checker = new FieldChecker();
  switch (payload.vendor) {
    case 'polarity': checkPolarity(checker, payload.resource); break;
    case 'britive': checkBritive(checker, payload.resource); break;
    case 'kore':
      checkKoreEntity(checker, payload.resource);
      checker.nonEmptyString('users[]', payload.resource.user);
      break;
    case 'polytomic': checkPolytomic(checker, payload.resource); break;
  }
  if (checker.problems.length > 0) {
    const list = checker.problems.map((p) => `${p.field} ${p.message}`).join('; ');
    throw new ValidationError(`${payload.vendor}: ${payload.path}: invalid value resolved at apply time: ${list}. Nothing was sent to the vendor.`);
  }
}

export async function runOperation(operation: Operation, payload: Payload, env: NodeJS.ProcessEnv, secrets: string[]): Promise<string> {
  if (operation === 'revoke' && payload.removalPolicy === 'retain') {
    return `${payload.vendor}: ${payload.path} has removalPolicy "retain": left as it is at the vendor`;
  }
  if (operation === 'apply') validateResolved(payload);
  const vendor = VENDORS[payload.vendor] as VendorModule<Payload>;
  const connection = await vendor.connect(payload, env);
  secrets.push(...connection.secrets);
  const request = createHttpClient({
    settings: { ...DEFAULT_HTTP_SETTINGS, ...payload.http },
    readError: vendor.readError,
    isRetryable: vendor.isRetryable,
    authHint: connection.authHint,
  });
  return vendor.operations[operation](payload, { request, baseUrl: connection.baseUrl, headers: connection.headers });
}

/**
 * Every credential-looking variable of the environment, so even an error before connect() cannot print one. Short
 * values (a flag like SOME_KEY=true) are left out: they are not credentials and would shred every message; the
 * credentials the vendor module actually reads are redacted whatever their length.
 */
function environmentSecrets(env: NodeJS.ProcessEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => /TOKEN|SECRET|KEY|JWT|PASSWORD/i.test(name) && (value ?? '').length >= 8)
    .map(([, value]) => value as string);
}

export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const secrets = environmentSecrets(env);
  try {
    const operation = argv[0] as Operation;
    if (!OPERATIONS.includes(operation)) {
      throw new ConfigurationError(`usage: lifecycle-handler <${OPERATIONS.join('|')}>, got ${JSON.stringify(argv[0])}`);
    }
    const line = await runOperation(operation, parsePayload(env[PAYLOAD_ENV]), env, secrets);
    process.stdout.write(`${redact(line, secrets)}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof SaasPermissionError ? error.message : `unexpected error: ${(error as Error)?.stack ?? error}`;
    process.stderr.write(`${redact(message, secrets)}\n`);
    return 1;
  }
}
