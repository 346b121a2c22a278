/**
 * Field rules shared by synth-time validation (constructs/) and the handler's apply-time validation, so a
 * value from another resource gets the same message at apply time that a literal gets at synth time.
 * Pure functions over plain values; a value the caller says is unresolved (a cdktf token) is skipped.
 * Rules accept what the vendor accepts: a closed list only where the vendor has one (Polarity's permissions).
 */
import { BRITIVE_PERMISSION_TYPES, POLARITY_PERMISSIONS, POLYTOMIC_DOCUMENTED_ACTIONS, PolytomicPolicyAction } from './contract';
import type { VendorName } from './contract';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type IsUnresolved = (value: unknown) => boolean;
const resolvedAlways: IsUnresolved = () => false;
/**
 * An http(s) URL: scheme, host, optional path. No user information, query or fragment: credentials come from the
 * token variables, and anything in a URL is printed with every message that names it.
 */
export const HTTP_URL = /^https?:\/\/[^/\s@?#]+(\/[^\s@?#]*)?$/i;

/**
 * Whether a URL is plain http:// to a host other than loopback (127.0.0.0/8, ::1, localhost): a request there
 * carries the credentials in clear. Unparseable URLs answer false; the URL checks refuse them.
 */
export function isInsecureHttpUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'http:') return false;
  const host = parsed.hostname.toLowerCase();
  return !(host === 'localhost' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host));
}

/** Whether a URL holds user information (`https://user:password@host`), which would be printed with the URL. */
export function hasUserInfo(url: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\/[^/]*@/i.test(url);
}

/** The identity fields each vendor puts in a request path, one segment each. */
export const PATH_SEGMENT_FIELDS: { readonly [V in VendorName]: readonly string[] } = {
  polarity: ['integrationId'], britive: ['profileId'], kore: ['botId', 'connectorId', 'entityId'], polytomic: [],
};

/** Whether a text cannot be one segment of a request path: empty, or "." and "..", which URL parsing collapses. */
export function unaddressableSegment(text: string): boolean {
  return text === '' || text === '.' || text === '..';
}

function checkPathSegments(c: FieldChecker, vendor: VendorName, r: Record<string, unknown>): void {
  for (const field of PATH_SEGMENT_FIELDS[vendor]) c.pathSegment(field, r[field]);
}
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** C0 and C1 control characters and DEL: a newline or a NUL in an id would forge or cut log lines. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** Terraform normalizes every string to NFC; doing the same here makes two spellings of one value one value. */
export function normalizeText<T>(value: T): T {
  if (typeof value === 'string') return value.normalize('NFC') as T;
  if (Array.isArray(value)) return value.map(normalizeText) as T;
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalizeText(v)])) as T;
  }
  return value;
}

export class FieldChecker {
  readonly problems: FieldProblem[] = [];
  /** Values the vendor accepts but that are probably mistakes; synth prints them, nothing is refused. */
  readonly warnings: FieldProblem[] = [];
  constructor(private readonly isUnresolved: IsUnresolved = resolvedAlways) {}

  /** Whether a value is only known later (a token at synth time) and so is not checked now. */
  skip(value: unknown): boolean {
    return this.isUnresolved(value);
  }

  report(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  warn(field: string, message: string): void {
    this.warnings.push({ field, message });
  }

  /** A non-empty string with no control characters and no surrounding white space. */
  nonEmptyString(field: string, value: unknown): value is string {
    if (this.skip(value)) return false;
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.report(field, `must be a string, got ${value === undefined ? 'nothing' : typeof value}`);
      return false;
    }
    const text = String(value);
    if (text.trim() === '') {
      this.report(field, 'must not be empty');
      return false;
    }
    if (CONTROL.test(text)) {
      this.report(field, `must not contain control characters (a newline, a NUL, ...): ${JSON.stringify(value)}`);
      return false;
    }
    if (text !== text.trim()) this.report(field, `must not start or end with white space: ${JSON.stringify(value)}`);
    return true;
  }

  /** A value that becomes one segment of a request path: "." and ".." would be collapsed by URL parsing. */
  pathSegment(field: string, value: unknown): value is string {
    if (!this.nonEmptyString(field, value)) return false;
    if (unaddressableSegment(String(value))) {
      this.report(field, `must not be ${JSON.stringify(value)}: it would change the request's path`);
      return false;
    }
    return true;
  }

  pattern(field: string, value: unknown, re: RegExp, what: string): void {
    if (this.nonEmptyString(field, value) && !re.test(String(value))) {
      this.report(field, `must be ${what}, got ${JSON.stringify(value)}`);
    }
  }

  oneOf(field: string, value: unknown, allowed: readonly string[]): void {
    if (!this.nonEmptyString(field, value) || allowed.includes(value)) return;
    this.report(field, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`);
  }

  /** A list of distinct items, each checked by `item`; returns false when the list itself is unresolved. */
  list<T>(field: string, value: unknown, item: (f: string, v: T) => void, noun: string, options: { allowEmpty?: boolean } = {}): value is T[] {
    if (this.skip(value)) return false;
    if (!Array.isArray(value)) {
      this.report(field, `must be a list of ${noun}`);
      return false;
    }
    if (value.length === 0 && !options.allowEmpty) this.report(field, `must hold at least one ${noun}`);
    const seen = new Map<string, number>();
    value.forEach((v, i) => {
      if (this.skip(v)) return;
      const key = JSON.stringify(normalizeText(v));
      const first = seen.get(key);
      if (first !== undefined) {
        const spelled = JSON.stringify(v) === JSON.stringify(value[first]) ? '' : ' (the same text once Unicode-normalized, as Terraform does)';
        this.report(`${field}[${i}]`, `repeats ${field}[${first}] ${key}${spelled}`);
      } else {
        seen.set(key, i);
      }
      item(`${field}[${i}]`, v as T);
    });
    return true;
  }
}

export function checkPolarity(c: FieldChecker, r: { integrationId: unknown; groupId: unknown; permissions: unknown }): void {
  checkPathSegments(c, 'polarity', r);
  c.pattern('groupId', r.groupId, /^\d+$/, 'a numeric Polarity group id (for example "1", All Polarity Users)');
  c.list('permissions', r.permissions, (f, v: unknown) => c.oneOf(f, v, POLARITY_PERMISSIONS), 'permission ("read" or "admin")');
}

export function checkBritive(c: FieldChecker, r: { profileId: unknown; permissionName: unknown; permissionType: unknown }): void {
  checkPathSegments(c, 'britive', r);
  c.nonEmptyString('permissionName', r.permissionName);
  if (!c.nonEmptyString('permissionType', r.permissionType)) return;
  const type = String(r.permissionType);
  const known = BRITIVE_PERMISSION_TYPES.find((t) => t.toLowerCase() === type.toLowerCase());
  if (known && known !== type) {
    c.warn('permissionType', `Britive's documented type is ${JSON.stringify(known)}, not ${JSON.stringify(type)}; the provider documents types as case-sensitive. ` +
      'To correct an applied one, remove the construct and apply, then add it back: in one change the old spelling\'s removal and the new one\'s addition are not ordered');
  }
}

export function checkKoreEntity(c: FieldChecker, r: { botId: unknown; connectorId: unknown; entityId: unknown }): void {
  checkPathSegments(c, 'kore', r);
}

export function checkKoreUsers(c: FieldChecker, users: unknown): void {
  c.list('users', users, (f, v: unknown) => c.nonEmptyString(f, v), 'user');
}

export function checkPolytomic(c: FieldChecker, r: { name: unknown; organizationId?: unknown; policyActions: unknown }): void {
  c.nonEmptyString('name', r.name);
  if (r.organizationId !== undefined && r.organizationId !== null) c.pattern('organizationId', r.organizationId, UUID, 'a UUID');
  const actions = new Set<string>();
  c.list('policyActions', r.policyActions, (f, a: PolytomicPolicyAction) => {
    if (c.skip(a)) return;
    if (typeof a !== 'object' || a === null) return c.report(f, 'must be an object { action, roleIds }');
    if (c.nonEmptyString(`${f}.action`, a.action)) {
      const action = normalizeText(a.action);
      if (actions.has(action)) c.report(`${f}.action`, `${JSON.stringify(a.action)} is declared twice`);
      actions.add(action);
      if (!(POLYTOMIC_DOCUMENTED_ACTIONS as readonly string[]).includes(action)) {
        c.warn(`${f}.action`, `${JSON.stringify(a.action)} is not an action Polytomic documents (${POLYTOMIC_DOCUMENTED_ACTIONS.join(', ')}); Polytomic ignores actions that do not apply`);
      }
    }
    c.list(`${f}.roleIds`, a.roleIds, (rf, id: unknown) => c.pattern(rf, id, UUID, 'a role id (UUID)'), 'role id', { allowEmpty: true });
  }, 'policy action');
}

/**
 * RFC 3339 as Terraform's `timecmp` reads it: date, upper-case `T`, time, optional fraction, `Z` or an offset. A
 * date that does not exist (February 30th) is refused too, since Terraform would refuse it at plan time.
 */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-](\d{2}):(\d{2}))$/;

/** The instant an RFC 3339 timestamp names, in milliseconds; undefined when it is not one. */
export function parseRfc3339(text: string): number | undefined {
  const m = RFC3339.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const offsetOk = m[8] === 'Z' || (Number(m[9]) < 24 && Number(m[10]) < 60);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || !offsetOk) return undefined;
  return Date.parse(text);
}

/** `expiresAt`: an RFC 3339 timestamp; one already past is accepted with a warning (the next apply revokes the grant). */
export function checkExpiresAt(c: FieldChecker, value: unknown, now: number): void {
  if (value === undefined || !c.nonEmptyString('expiresAt', value)) return;
  const at = parseRfc3339(String(value));
  if (at === undefined) {
    c.report('expiresAt', `must be an RFC 3339 timestamp such as "2026-12-31T18:00:00Z" (upper-case T, Z or an offset such as +02:00), got ${JSON.stringify(value)}`);
  } else if (at <= now) {
    c.warn('expiresAt', `${value} is already past: the grant is not applied, and the next apply revokes it if it is held`);
  }
}
