/** A throwaway CA and a server certificate for 127.0.0.1 it signed, so a simulator can speak HTTPS (needs openssl). */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface TestCertificates {
  /** Path of the CA certificate, for NODE_EXTRA_CA_CERTS. */
  readonly ca: string;
  /** PEM texts for the simulator's `start(port, host, { key, cert })`. */
  readonly key: string;
  readonly cert: string;
}

export function makeTestCertificates(dir: string): TestCertificates {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=cdktf-saas-permissions test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1');
  fs.writeFileSync(path.join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return { ca: path.join(dir, 'ca.pem'), key: read('server.key'), cert: read('server.pem') };
}
