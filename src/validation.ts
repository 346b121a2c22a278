/**
 * Field rules shared by synth-time validation (constructs/) and the handler's apply-time validation, so a
 * value from another resource gets the same message at apply time that a literal gets at synth time.
 * Pure functions over plain values; a value the caller says is unresolved (a cdktf token) is skipped.
 */
import { BRITIVE_PERMISSION_TYPES, POLARITY_PERMISSIONS, POLYTOMIC_ACTIONS, PolytomicPolicyAction } from './contract';

export interface FieldProblem {
  readonly field: string;
  readonly message: string;
}

export type IsUnresolved = (value: unknown) => boolean;
const resolvedAlways: IsUnresolved = () => false;
/** An http(s) URL: scheme, host, optional path; the same rule for a provider's literal and a value read at apply time. */
export const HTTP_URL = /^https?:\/\/[^/\s]+(\/\S*)?$/i;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class FieldChecker {
  readonly problems: FieldProblem[] = [];
  constructor(private readonly isUnresolved: IsUnresolved = resolvedAlways) {}

  /** Whether a value is only known later (a token at synth time) and so is not checked now. */
  skip(value: unknown): boolean {
    return this.isUnresolved(value);
  }

  report(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  nonEmptyString(field: string, value: unknown): value is string {
    if (this.skip(value)) return false;
    if (typeof value !== 'string' && typeof value !== 'number') {
      this.report(field, `must be a string, got ${value === undefined ? 'nothing' : typeof value}`);
      return false;
    }
    if (String(value).trim() === '') {
      this.report(field, 'must not be empty');
      return false;
    }
    if (String(value) !== String(value).trim()) this.report(field, `must not start or end with white space: ${JSON.stringify(value)}`);
    return true;
  }

  pattern(field: string, value: unknown, re: RegExp, what: string): void {
    if (this.nonEmptyString(field, value) && !re.test(String(value))) {
      this.report(field, `must be ${what}, got ${JSON.stringify(value)}`);
    }
  }

  oneOf(field: string, value: unknown, allowed: readonly string[], caseHint = false): void {
    if (!this.nonEmptyString(field, value) || allowed.includes(value)) return;
    const folded = allowed.find((a) => a.toLowerCase() === value.toLowerCase());
    this.report(field, folded && caseHint
      ? `is case-sensitive: use ${JSON.stringify(folded)}, not ${JSON.stringify(value)}`
      : `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}, got ${JSON.stringify(value)}`);
  }

  /** A non-empty list of distinct items, each checked by `item`; returns false when the list itself is unresolved. */
  list<T>(field: string, value: unknown, item: (f: string, v: T) => void, noun: string): value is T[] {
    if (this.skip(value)) return false;
    if (!Array.isArray(value)) {
      this.report(field, `must be a list of ${noun}`);
      return false;
    }
    if (value.length === 0) this.report(field, `must hold at least one ${noun}`);
    const seen = new Set<string>();
    value.forEach((v, i) => {
      if (this.skip(v)) return;
      const key = JSON.stringify(v);
      if (seen.has(key)) this.report(`${field}[${i}]`, `repeats ${key}`);
      seen.add(key);
      item(`${field}[${i}]`, v as T);
    });
    return true;
  }
}

export function checkPolarity(c: FieldChecker, r: { integrationId: unknown; groupId: unknown; permissions: unknown }): void {
  c.nonEmptyString('integrationId', r.integrationId);
  c.pattern('groupId', r.groupId, /^\d+$/, 'a numeric Polarity group id (for example "1", All Polarity Users)');
  c.list('permissions', r.permissions, (f, v: unknown) => c.oneOf(f, v, POLARITY_PERMISSIONS), 'permission ("read" or "admin")');
}

export function checkBritive(c: FieldChecker, r: { profileId: unknown; permissionName: unknown; permissionType: unknown }): void {
  c.nonEmptyString('profileId', r.profileId);
  c.nonEmptyString('permissionName', r.permissionName);
  c.oneOf('permissionType', r.permissionType, BRITIVE_PERMISSION_TYPES, true);
}

export function checkKoreEntity(c: FieldChecker, r: { botId: unknown; connectorId: unknown; entityId: unknown }): void {
  c.nonEmptyString('botId', r.botId);
  c.nonEmptyString('connectorId', r.connectorId);
  c.nonEmptyString('entityId', r.entityId);
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
    c.oneOf(`${f}.action`, a.action, POLYTOMIC_ACTIONS);
    if (typeof a.action === 'string' && actions.has(a.action)) c.report(`${f}.action`, `${JSON.stringify(a.action)} is declared twice`);
    actions.add(a.action);
    c.list(`${f}.roleIds`, a.roleIds, (rf, id: unknown) => c.pattern(rf, id, UUID, 'a role id (UUID)'), 'role id');
  }, 'policy action');
}
