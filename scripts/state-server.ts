/**
 * A Terraform `http` backend on loopback, for the benchmark's remote-state rows: state lives in this process's
 * memory, one document per URL path. Like S3, GCS or Terraform Cloud, and unlike the local backend, a remote backend
 * keeps state in memory during a run and uploads snapshots (Terraform's http backend: every 20 s and at the end),
 * instead of rewriting and fsyncing the whole state file after every instance.
 */
import * as http from 'http';
import { AddressInfo } from 'net';

export interface StateServer {
  /** Base URL; append a path per workspace. */
  readonly url: string;
  stop(): Promise<void>;
}

export async function startStateServer(): Promise<StateServer> {
  const states = new Map<string, Buffer>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const key = req.url ?? '/';
      switch (req.method) {
        case 'GET':
          if (!states.has(key)) res.statusCode = 404;
          res.end(states.get(key));
          return;
        case 'POST':
          states.set(key, Buffer.concat(chunks));
          res.end();
          return;
        case 'DELETE':
          states.delete(key);
          res.end();
          return;
        default:
          res.statusCode = 405;
          res.end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}
