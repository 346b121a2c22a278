import { Token } from './core';
import { Construct } from 'constructs';
import { FieldChecker, FieldProblem } from '../src/contract';

/** Throws one error listing every problem of a construct's props, named by construct path and field. */
export function throwIfProblems(scope: Construct, problems: readonly FieldProblem[]): void {
  if (problems.length === 0) return;
  const lines = problems.map((p) => `  ${p.field}: ${p.message}`).join('\n');
  throw new Error(`${scope.node.path} (${scope.constructor.name}): invalid props:\n${lines}`);
}

/** A checker that skips tokens: their values are checked by the handler once Terraform has resolved them. */
export function synthChecker(): FieldChecker {
  return new FieldChecker((v) => Token.isUnresolved(v));
}
