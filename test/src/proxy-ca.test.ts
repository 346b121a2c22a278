/**
 * Enterprise networks: HTTPS_PROXY / HTTP_PROXY / NO_PROXY and a private CA through NODE_EXTRA_CA_CERTS, exercised
 * through the bundled handler as Terraform runs it, with a local proxy and an HTTPS simulator signed by a test CA.
 */
import * as fs from 'fs';
import * as http from 'http';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { runProcess } from '../../scripts/run-process';
import { HANDLER_FILE_NAME, PAYLOAD_ENV } from '../../src/contract';
import { PolaritySimulator, SIM_CREDENTIALS } from '../../src/simulators';
import { makeTestCertificates } from '../../src/simulators/certificates';

const HANDLER = path.join(__dirname, '../../dist', HANDLER_FILE_NAME);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ca-'));

/** A forward proxy: absolute-URI requests for http targets, CONNECT tunnels for https; counts what it carried. */
async function startProxy() {
  const seen: string[] = [];
  // Tunnels are raw sockets the HTTP server no longer tracks: keep them to destroy on close.
  const tunnels = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url!);
    const upstream = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  server.on('connect', (req, socket, head) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    tunnels.add(socket as net.Socket);
    const upstream = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.add(upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
  return {
    url, seen,
    close: () => new Promise<void>((r) => {
      for (const t of tunnels) t.destroy();
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

function runHandler(env: Record<string, string>) {
  return runProcess(process.execPath, [HANDLER, 'apply'], { env: { PATH: process.env.PATH!, ...env } });
}

const payload = (url: string) => JSON.stringify({
  v: 1, vendor: 'polarity', path: 'test/grant', removalPolicy: 'destroy',
  http: { requestTimeoutMs: 3000, deadlineMs: 10000, maxRetries: 0, baseBackoffMs: 10, maxBackoffMs: 100 },
  connection: { url, tokenEnv: 'POLARITY_TOKEN' },
  resource: { integrationId: 'virustotal', groupId: '7', permissions: ['read'] },
});

describe('proxies and private CAs', () => {
  const certs = makeTestCertificates(dir);
  const plain = new PolaritySimulator({ token: SIM_CREDENTIALS.polarityToken });
  const tls = new PolaritySimulator({ token: SIM_CREDENTIALS.polarityToken });
  let proxy: Awaited<ReturnType<typeof startProxy>>;
  beforeAll(async () => {
    await plain.start();
    await tls.start(0, '127.0.0.1', { key: certs.key, cert: certs.cert });
    proxy = await startProxy();
  });
  afterAll(async () => {
    await Promise.all([plain.stop(), tls.stop(), proxy.close()]);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => { proxy.seen.length = 0; plain.reset(); tls.reset(); });

  const token = { POLARITY_TOKEN: SIM_CREDENTIALS.polarityToken };

  test('HTTP_PROXY carries requests to an http vendor', async () => {
    const run = await runHandler({ ...token, [PAYLOAD_ENV]: payload(plain.url), HTTP_PROXY: proxy.url });
    expect(run).toMatchObject({ code: 0 });
    expect(proxy.seen).toEqual([`POST ${plain.url}/api/integrations/virustotal/permissions`]);
    expect(plain.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
  });

  test('NO_PROXY bypasses the proxy', async () => {
    const run = await runHandler({ ...token, [PAYLOAD_ENV]: payload(plain.url), HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' });
    expect(run.code).toBe(0);
    expect(proxy.seen).toEqual([]);
  });

  test('HTTPS_PROXY tunnels to an https vendor whose certificate a private CA signed (NODE_EXTRA_CA_CERTS)', async () => {
    const run = await runHandler({ ...token, [PAYLOAD_ENV]: payload(tls.url), HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: certs.ca });
    expect(run.output).toContain('polarity: granted read on integration virustotal to group 7');
    expect(proxy.seen).toEqual([`CONNECT ${new URL(tls.url).host}`]);
    expect(tls.snapshot()).toEqual({ virustotal: { 7: ['read'] } });
  });

  test('without the CA the TLS failure is reported, naming the vendor and operation', async () => {
    const run = await runHandler({ ...token, [PAYLOAD_ENV]: payload(tls.url) });
    expect(run.code).toBe(1);
    expect(run.output).toMatch(/polarity: grant read on integration virustotal for group 7 failed: POST https:\/\/127\.0\.0\.1:\d+\/api\/integrations\/virustotal\/permissions: .*(self-signed|unable to verify|UNABLE_TO_VERIFY)/i);
    expect(run.output).toContain('export NODE_EXTRA_CA_CERTS=');
    expect(run.output).not.toContain(SIM_CREDENTIALS.polarityToken);
  });
});
