/**
 * Whether a held grant can be printed as a construct that round-trips: a first deploy of the printed code must send
 * the vendor exactly what it holds, and the code must synth. What cannot is printed as a comment saying why: a value
 * the constructs refuse at synth (a control character, white space around a name), a value not in Unicode NFC (the
 * constructs send the NFC form, as Terraform does, which the vendor would hold as a second spelling), a value that
 * holds a credential this tool knows (the code is meant to be committed), or a grant the stack already declares.
 */
import { FieldChecker, VendorName, checkBritive, checkKoreEntity, checkKoreUsers, checkPolarity, checkPolytomic } from '../contract';
import { redact } from '../errors';
import { DeclaredGrant, managedBy } from './import-stack';
import { Fields, HeldGrant } from './vendors/view';

/** A construct to print, or a comment: why a held grant is not declared, or which construct already declares it. */
export type ImportLine =
  | { readonly className: string; id: string; readonly props: Fields; readonly grants: HeldGrant[] }
  | { readonly comment: string; readonly managedBy?: string };

type Construct = { readonly className: string; readonly id: string; readonly props: Fields; readonly grant: HeldGrant };

const CHECKS: Record<VendorName, (c: FieldChecker, props: Fields) => void> = {
  polarity: (c, p) => checkPolarity(c, p as Parameters<typeof checkPolarity>[1]),
  britive: (c, p) => checkBritive(c, p as Parameters<typeof checkBritive>[1]),
  kore: (c, p) => {
    checkKoreEntity(c, p as Parameters<typeof checkKoreEntity>[1]);
    checkKoreUsers(c, p.users);
  },
  polytomic: (c, p) => checkPolytomic(c, p as Parameters<typeof checkPolytomic>[1]),
};

/** Every string a value holds, with the field it is in. */
function strings(value: unknown, field: string): Array<[string, string]> {
  if (typeof value === 'string') return [[field, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => strings(v, `${field}[${i}]`));
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => strings(v, field ? `${field}.${k}` : k));
  return [];
}

/** Why these props cannot be printed as code, or undefined when they can. */
function problem(vendor: VendorName, props: Fields, secrets: readonly string[]): string | undefined {
  const all = strings(props, '');
  // Only the credentials themselves: redact's look-alike patterns ("auth: ...") would flag ordinary names.
  const secret = all.find(([, s]) => redact(s, secrets) !== redact(s, []));
  if (secret) return `${secret[0]} holds a credential this tool uses (shown redacted): code meant to be committed must not carry it; rename it at the vendor, or declare it by hand`;
  const checker = new FieldChecker();
  CHECKS[vendor](checker, props);
  if (checker.problems.length > 0) return `the construct refuses it at synth: ${checker.problems.map((p) => `${p.field} ${p.message}`).join('; ')}`;
  const unnormalized = all.find(([, s]) => s !== s.normalize('NFC'));
  if (unnormalized) {
    return `${unnormalized[0]} is not in Unicode normal form NFC: the construct sends the NFC form (as Terraform does), which the vendor would hold as a second spelling; rename it at the vendor to its NFC form to manage it`;
  }
  return undefined;
}

function describe(className: string, identity: Fields): string {
  return `${className} ${JSON.stringify(identity)}`;
}

/**
 * The lines for one construct the vendor view would print. A Kore entity's users are checked one by one: a user
 * that cannot be printed, or that the stack declares already, is left out and the others stay.
 */
export function checkConstruct(vendor: VendorName, item: Construct, declared: readonly DeclaredGrant[], secrets: readonly string[]): ImportLine[] {
  const lines: ImportLine[] = [];
  const notDeclared = (what: string, why: string) => lines.push({ comment: redact(`${what}: ${why}`, secrets) });
  if (vendor !== 'kore') {
    const why = problem(vendor, item.props, secrets);
    const owner = why ? undefined : managedBy(vendor, item.grant.identity, declared);
    if (why) notDeclared(describe(item.className, item.grant.identity), why);
    else if (owner) lines.push({ comment: redact(describe(item.className, item.grant.identity), secrets), managedBy: owner });
    else lines.push({ className: item.className, id: item.id, props: item.props, grants: [item.grant] });
    return lines;
  }
  const { users, ...scope } = item.props;
  const scopeWhy = problem(vendor, { ...scope, users: ['user'] }, secrets);
  if (scopeWhy) {
    notDeclared(describe(item.className, scope), scopeWhy);
    return lines;
  }
  const kept: string[] = [];
  for (const user of users as string[]) {
    const identity = { ...scope, user };
    const why = problem(vendor, { ...scope, users: [user] }, secrets);
    const owner = why ? undefined : managedBy(vendor, identity, declared);
    if (why) notDeclared(`user ${JSON.stringify(user)} of ${describe(item.className, scope)}`, why);
    else if (owner) lines.push({ comment: redact(`user ${JSON.stringify(user)} of ${describe(item.className, scope)}`, secrets), managedBy: owner });
    else kept.push(user);
  }
  if (kept.length > 0) {
    const props = { ...scope, users: kept };
    lines.unshift({ className: item.className, id: item.id, props, grants: kept.map((user) => ({ ...item.grant, identity: { ...scope, user }, resource: { ...scope, user } })) });
  }
  return lines;
}
