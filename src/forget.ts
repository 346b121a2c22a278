/**
 * SAAS_PERMISSIONS_FORGET: lets one revoke instance go without asking the vendor, when the vendor's object is gone
 * for good in a way the vendor does not report. A bare Terraform address matched in every stack that has it (two
 * stacks on two Kore hosts both let their user go), and cdktf-cli rewrites addresses in what it prints, so the
 * variable takes a token printed with the failure instead: a digest of the stack (named in a revoke's payload; the
 * construct path starts with it), the instance's address, the vendor URL it resolves to and the grant's identity. It
 * names that instance of that stack at that URL only, and reads the same in terraform's and cdktf's output.
 */
import { createHash } from 'crypto';
import * as fs from 'fs';
import { Connection, DEFAULT_KORE_URL, DEFAULT_POLYTOMIC_URL, VendorName } from './contract';

/** Tokens (as printed with a failed revoke) of revoke instances to let go without asking the vendor. */
export const FORGET_ENV = 'SAAS_PERMISSIONS_FORGET';

const TOKEN = /^forget-[0-9a-f]{16}$/;

export interface ForgetTarget {
  readonly vendor: VendorName;
  readonly path: string;
  /** The stack's name; else the first part of the path. */
  readonly stack?: string;
  readonly address: string;
  readonly connection: Connection;
  readonly resource: Record<string, unknown>;
}

/** The URL a connection resolves to in this environment, as the vendor clients resolve it ("" when none is set). */
function vendorUrl(target: ForgetTarget, env: NodeJS.ProcessEnv): string {
  const c = target.connection as { url?: string; tenant?: string; urlEnv?: string; tenantEnv?: string };
  const fallback = target.vendor === 'kore' ? DEFAULT_KORE_URL : target.vendor === 'polytomic' ? DEFAULT_POLYTOMIC_URL : '';
  const url = c.url || c.tenant || env[c.urlEnv ?? c.tenantEnv ?? ''] || fallback;
  return url.replace(/\/+$/, '');
}

export function forgetToken(target: ForgetTarget, env: NodeJS.ProcessEnv): string {
  const stack = target.stack ?? target.path.split('/')[0];
  const text = JSON.stringify([target.vendor, stack, target.address, vendorUrl(target, env), target.resource]);
  return `forget-${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
}

function listed(env: NodeJS.ProcessEnv): string[] {
  return (env[FORGET_ENV] ?? '').split(/[\s,]+/).map((t) => t.replace(/^['"]|['"]$/g, '')).filter(Boolean);
}

/** Whether the variable names this instance. */
export function forgotten(target: ForgetTarget, env: NodeJS.ProcessEnv): boolean {
  return listed(env).includes(forgetToken(target, env));
}

/**
 * What to say when the variable is set but does not name this instance: left set in a pipeline it is a standing
 * exception, and an entry that is not a token (an address, as earlier versions took) matches nothing.
 */
export function forgetWarning(env: NodeJS.ProcessEnv): string | undefined {
  const entries = listed(env);
  if (entries.length === 0) return undefined;
  const malformed = entries.filter((t) => !TOKEN.test(t));
  const what = malformed.length > 0
    ? `holds ${malformed.length} entr${malformed.length === 1 ? 'y' : 'ies'} that ${malformed.length === 1 ? 'is' : 'are'} not a token printed with a failed revoke (a Terraform address is no longer taken: it matched in every stack) and ${malformed.length === 1 ? 'is' : 'are'} ignored`
    : `is set (${entries.length} token${entries.length === 1 ? '' : 's'})`;
  return `WARNING: ${FORGET_ENV} ${what}. It lets go only the revoke instance whose failure printed its token, in that stack at that vendor URL; unset it once that apply has passed.`;
}

/** The terraform process of the run, where the per-run agent (not terraform's child) serves the grant. */
export const TERRAFORM_PID_ENV = 'SAAS_PERMISSIONS_TERRAFORM_PID';

/** The terraform subcommand that started this handler (apply, destroy), where /proc tells. */
function terraformCommand(env: NodeJS.ProcessEnv): string | undefined {
  try {
    const args = fs.readFileSync(`/proc/${env[TERRAFORM_PID_ENV] || process.ppid}/cmdline`, 'utf8').split('\0');
    return args.slice(1).find((a) => a === 'apply' || a === 'destroy');
  } catch {
    return undefined;
  }
}

/** The advice printed with a revoke that could not be confirmed: copyable from terraform's output and from cdktf's. */
export function forgetAdvice(target: ForgetTarget, env: NodeJS.ProcessEnv): string {
  const token = forgetToken(target, env);
  const command = terraformCommand(env);
  const rerun = command
    ? `${FORGET_ENV}=${token} cdktf ${command === 'apply' ? 'deploy' : 'destroy'} (or ${FORGET_ENV}=${token} terraform ${command})`
    : `the command that failed (cdktf deploy/destroy, terraform apply/destroy) with ${FORGET_ENV}=${token} in its environment`;
  return `If the vendor's object is gone for good, let this instance go without asking the vendor: re-run ${rerun}. ` +
    'The token names this instance of this stack at this vendor URL only.';
}
