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
 * A part of an instance key: literal values as they are, values from other resources by their expression. Keys are
 * opaque; '/' separates parts, '$' would start Terraform template syntax in a JSON-syntax key, and '~' marks the items
 * of a list only Terraform knows (`<key>/~<item>`), so each is escaped. `legacy` gives the key version 0.1.0 made,
 * which did not escape '~', for the `moved` blocks that carry such instances over.
 */
export function keyPart(scope: Construct, value: unknown, legacy = false): string {
  if (Token.isUnresolved(value)) {
    // The expression text ("${aws_iam_role.x.name}") is stable across synths; the token's own id is not.
    const expression = JSON.stringify(resolveExpression(scope, value));
    return `ref-${createHash('sha256').update(expression).digest('hex').slice(0, 12)}`;
  }
  const escaped = String(value).replace(/%/g, '%25').replace(/\//g, '%2F').replace(/\$/g, '%24');
  return legacy ? escaped : escaped.replace(/~/g, '%7E');
}

/** The same escaping in HCL, for the items of a list only Terraform knows. */
export function hclKeyPart(expression: string): string {
  return `replace(replace(replace(replace(${expression}, "%", "%25"), "/", "%2F"), "$", "%24"), "~", "%7E")`;
}

/** The Terraform expression a token stands for, without its `${ }`. */
export function expressionOf(scope: Construct, token: unknown): string {
  const resolved = resolveExpression(scope, token);
  const text = Array.isArray(resolved) && resolved.length === 1 ? resolved[0] : resolved;
  const match = typeof text === 'string' ? /^\$\{([\s\S]+)\}$/.exec(text) : null;
  if (!match) throw new Error(`${scope.node.path}: cannot expand ${JSON.stringify(text)}: pass a list from a variable, a data source or a resource attribute`);
  return match[1];
}

/** Quotes JSON text (already safe for Terraform templates) as an HCL string literal inside an expression. */
export function hclString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
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
  return JSON.stringify(value).replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
