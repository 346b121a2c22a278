/**
 * The per-run agent: one Node process per `terraform` run that does every grant's vendor calls, so a grant's
 * provisioner costs a POSIX shell and one `curl` instead of a Node start (issue 16). The provisioner's script
 * (src/agent-client.sh) starts it on first need and hands it each grant; each grant keeps its own provisioner, and
 * that provisioner's output and exit status are still the grant's result (the agent answers with both).
 *
 * Reachable only by the same OS user: the socket lives in a 0700 directory the script created and checked. Secrets
 * stay in memory: they come from this process's environment, which is terraform's (the first provisioner started
 * it, and provisioners inherit terraform's environment), never from files or arguments. It dies with terraform: the
 * terraform process is watched, and when it is gone every call in flight is aborted and the process exits at once,
 * so no request reaches a vendor after `kill -9` of terraform. It exits when idle too, and a later grant starts another.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as path from 'path';
import { environmentSecrets } from './errors';
import { TERRAFORM_PID_ENV } from './forget';
import { shareConnections } from './http';
import type { Outcome } from './handler';

/** The handler's first argument that makes it the agent: `lifecycle-handler.cjs agent <run directory> <terraform pid>`. */
export const AGENT_OPERATION = 'agent';

/** The socket's name inside the run directory (src/agent-client.sh uses the same). */
export const AGENT_SOCKET = 'agent.sock';

/** Exits after this long without a grant; terraform's phases are far closer together than this. */
const IDLE_MS = Number(process.env.SAAS_PERMISSIONS_AGENT_IDLE_MS ?? 20_000);

/** A request body is a grant's address and payload: far below this. */
const MAX_BODY_BYTES = 1 << 20;

type RunOperation = (operation: string | undefined, payload: string | undefined, address: string | undefined,
  env: NodeJS.ProcessEnv, secrets: string[], signal?: AbortSignal) => Promise<Outcome>;

/** The start time of a process (field 22 of /proc/PID/stat), to tell it from a later process given the same PID. */
function startTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

function alive(pid: number, started: string | undefined): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the PID is now another user's process, so terraform is gone.
    return false;
  }
  return started === undefined || startTime(pid) === started;
}

function readBody(request: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

/** Serves grants until terraform is gone or nothing came for a while; resolves with the exit code. */
export function serveAgent(args: string[], env: NodeJS.ProcessEnv, run: RunOperation): Promise<number> {
  const [runDir, pidText] = args;
  const terraformPid = Number(pidText);
  if (!runDir || !Number.isInteger(terraformPid) || terraformPid <= 1) {
    process.stderr.write(`usage: lifecycle-handler ${AGENT_OPERATION} <run directory> <terraform pid>\n`);
    return Promise.resolve(1);
  }
  const started = startTime(terraformPid);
  // Every grant of the run goes through this process: they share connections to each vendor, and one 429 budget per
  // vendor host (src/http.ts, RatePacing).
  shareConnections();
  // The agent's parent is the provisioner that started it, not terraform: messages that name the command ask this.
  const runEnv = { ...env, [TERRAFORM_PID_ENV]: String(terraformPid) };
  const secrets = environmentSecrets(env);
  const controller = new AbortController();
  const socketPath = path.join(runDir, AGENT_SOCKET);
  const lockPath = path.join(runDir, 'lock');
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | undefined;

  // Unlinked before the server closes, so a grant arriving now starts a new agent instead of reaching a closing one.
  const release = () => {
    fs.rmSync(socketPath, { force: true });
    fs.rmSync(lockPath, { recursive: true, force: true });
  };

  return new Promise((resolve) => {
    const server = http.createServer((request, response) => {
      inFlight += 1;
      if (idleTimer) clearTimeout(idleTimer);
      void (async () => {
        let outcome: Outcome;
        try {
          const form = new URLSearchParams(await readBody(request));
          const operation = (request.url ?? '').replace(/^\//, '');
          // The client sends the payload as a here-document, which ends with a newline of its own.
          // Each grant's own list: a vendor client adds the credentials it read (a Kore JWT is new for every grant),
          // and a list shared by the run would grow with every grant, and so would the cost of redacting each line.
          outcome = await run(operation, form.get('p')?.replace(/\n$/, '') ?? undefined, form.get('a') ?? undefined, runEnv, [...secrets], controller.signal);
        } catch (error) {
          outcome = { code: 1, text: `the per-run agent could not read the grant: ${(error as Error).message}\n` };
        }
        // Nothing is answered once terraform is gone: the client's run is over too.
        if (controller.signal.aborted) return;
        response.writeHead(outcome.code === 0 ? 200 : 422, { 'content-type': 'text/plain; charset=utf-8' });
        response.end(outcome.text);
      })().finally(() => {
        inFlight -= 1;
        if (inFlight === 0) armIdle();
      });
    });
    const armIdle = () => {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = setTimeout(() => {
        release();
        server.close(() => {
          clearInterval(watch);
          fs.rmSync(runDir, { recursive: true, force: true });
          resolve(0);
        });
      }, IDLE_MS);
      idleTimer.unref();
    };
    const watch = setInterval(() => {
      if (alive(terraformPid, started)) return;
      controller.abort(`the terraform process (pid ${terraformPid}) that started this run is gone`);
      fs.rmSync(runDir, { recursive: true, force: true });
      // At once: a call waiting on a socket or a backoff must not get another turn.
      process.exit(1);
    }, 100);
    server.on('error', (error) => {
      clearInterval(watch);
      process.stderr.write(`the per-run agent could not listen on ${socketPath}: ${error.message}\n`);
      release();
      resolve(1);
    });
    if (!alive(terraformPid, started)) {
      release();
      resolve(1);
      return;
    }
    // A socket left by an agent that was killed: the lock says this process is the only one starting now.
    fs.rmSync(socketPath, { force: true });
    const oldMask = process.umask(0o077);
    server.listen(socketPath, () => {
      process.umask(oldMask);
      armIdle();
    });
  });
}
