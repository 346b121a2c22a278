/**
 * How values become Terraform configuration text: instance keys, payloads as JSON inside Terraform templates, and
 * HCL string literals for the for expressions that expand lists only Terraform knows.
 */
import { createHash } from 'crypto';
import { DefaultTokenResolver, Fn, StringConcat, Token, Tokenization } from './core';
import { Construct } from 'constructs';

function resolveExpression(scope: Construct, token: unknown): unknown {
  return Tokenization.resolve(token, { scope, preparing: false, resolver: new DefaultTokenResolver(new StringConcat()) });
}

/**
 * What each part of an instance key escapes, '%' first so no escape is escaped again. Keys are opaque; '/' separates
 * parts, '$' would start Terraform template syntax in a JSON-syntax key, and '~' marks the items of a list only
 * Terraform knows (`<key>/~<item>`). Version 0.1.0 did not escape '~'.
 */
const KEY_ESCAPES: ReadonlyArray<readonly [string, string]> = [['%', '%25'], ['/', '%2F'], ['$', '%24'], ['~', '%7E']];
const LEGACY_KEY_ESCAPES = KEY_ESCAPES.filter(([character]) => character !== '~');

function escapeKeyPart(text: string, escapes: ReadonlyArray<readonly [string, string]>): string {
  return escapes.reduce((out, [character, escaped]) => out.split(character).join(escaped), text);
}

/**
 * A grant's instance key (its identity parts joined by '/': literal values as they are, values from other resources
 * by their expression), and the key version 0.1.0 made, for the `moved` blocks that carry such instances over.
 */
export function instanceKeys(scope: Construct, identity: readonly unknown[]): { key: string; legacyKey: string } {
  const parts = identity.map((value) => {
    if (!Token.isUnresolved(value)) return String(value);
    // The expression text ("${aws_iam_role.x.name}") is stable across synths; the token's own id is not.
    const expression = JSON.stringify(resolveExpression(scope, value));
    return { ref: `ref-${createHash('sha256').update(expression).digest('hex').slice(0, 12)}` };
  });
  const join = (escapes: ReadonlyArray<readonly [string, string]>) => parts.map((p) => (typeof p === 'string' ? escapeKeyPart(p, escapes) : p.ref)).join('/');
  return { key: join(KEY_ESCAPES), legacyKey: join(LEGACY_KEY_ESCAPES) };
}

/** The same escaping in HCL, for the items of a list only Terraform knows. */
export function hclKeyPart(expression: string): string {
  return KEY_ESCAPES.reduce((out, [character, escaped]) => `replace(${out}, ${JSON.stringify(character)}, ${JSON.stringify(escaped)})`, expression);
}

/** The Terraform expression a token stands for, without its `${ }`. */
export function expressionOf(scope: Construct, token: unknown): string {
  const resolved = resolveExpression(scope, token);
  const text = Array.isArray(resolved) && resolved.length === 1 ? resolved[0] : resolved;
  const match = typeof text === 'string' ? /^\$\{([\s\S]+)\}$/.exec(text) : null;
  if (!match) throw new Error(`${scope.node.path}: cannot expand ${JSON.stringify(text)}: pass a list from a variable, a data source or a resource attribute`);
  return match[1];
}

/**
 * A text holding tokens as Terraform template text (`${var.x}`), for use inside an HCL string literal of a larger
 * expression: there cdktf would write a token's expression without its `${ }`.
 */
export function templateText(scope: Construct, text: string): string {
  return Token.isUnresolved(text) ? String(resolveExpression(scope, text)) : text;
}

/** Quotes template text (JSON, or an apply trigger with its line break) as an HCL string literal inside an expression. */
export function hclString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** Text as a Terraform template literal: `${` and `%{` escaped, nothing else changed. */
export function templateLiteral(text: string): string {
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}

/**
 * Serializes a value to JSON text for Terraform to finish: literal strings are escaped so Terraform does not read
 * `${` or `%{` in them as template syntax, and each value from another resource becomes `${jsonencode(...)}`, so
 * whatever it resolves to is valid JSON. One string per instance keeps every instance the same small type in plan
 * and state (an object per instance would give each its own type and store that type beside each value).
 */
export function jsonTemplate(value: unknown): string {
  if (Token.isUnresolved(value)) return Token.asString(Fn.jsonencode(value));
  if (Array.isArray(value)) return `[${value.map(jsonTemplate).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => `${JSON.stringify(k)}:${jsonTemplate(v)}`).join(',')}}`;
  }
  return templateLiteral(JSON.stringify(value));
}
