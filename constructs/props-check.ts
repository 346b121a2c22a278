import { Construct } from 'constructs';
import { FieldChecker, FieldProblem } from '../src/contract';
import { Annotations, Token } from './core';

/**
 * Records a construct's problems as error annotations and its warnings as warning annotations, each naming the
 * field. cdktf stops synth after every construct has been seen and lists every error at once (also when its own
 * validations are skipped), so one run shows every bad construct. Returns whether the construct is valid.
 */
export function reportProblems(scope: Construct, checker: { problems: readonly FieldProblem[]; warnings: readonly FieldProblem[] }): boolean {
  for (const p of checker.problems) Annotations.of(scope).addError(`${p.field}: ${p.message}`);
  for (const w of checker.warnings) Annotations.of(scope).addWarning(`${w.field}: ${w.message}`);
  return checker.problems.length === 0;
}

/** A checker that skips tokens: their values are checked by the handler once Terraform has resolved them. */
export function synthChecker(): FieldChecker {
  return new FieldChecker((v) => Token.isUnresolved(v));
}
