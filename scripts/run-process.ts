/** Runs a command to completion without blocking the event loop (in-process simulators must keep answering). */
import { spawn } from 'child_process';

export interface ProcessResult {
  /** The exit code; -1 when the process was killed by a signal. */
  readonly code: number;
  /** stdout and stderr together, in the order they arrived, as a pipeline log would hold them. */
  readonly output: string;
  readonly ms: number;
}

export function runProcess(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<ProcessResult> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, output, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
  });
}
