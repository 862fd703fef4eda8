// Per-cluster TLS material: a CA of its own and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface ClusterCerts {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function makeCerts(dir: string, name: string): Promise<ClusterCerts> {
  await mkdir(dir, { recursive: true });
  const p = (f: string) => join(dir, f);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  await run('openssl', ['req', '-x509', ...ec, '-keyout', p('ca.key'), '-out', p('ca.crt'), '-days', '3650',
    '-subj', `/CN=${name}-ca`, '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  await run('openssl', ['req', ...ec, '-keyout', p('server.key'), '-out', p('server.csr'), '-subj', `/CN=${name}-apiserver`]);
  await writeFile(p('ext.cnf'), 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n'
    + 'extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await run('openssl', ['x509', '-req', '-in', p('server.csr'), '-CA', p('ca.crt'), '-CAkey', p('ca.key'), '-CAcreateserial',
    '-out', p('server.crt'), '-days', '3650', '-extfile', p('ext.cnf')]);
  const [caPem, certPem, keyPem] = await Promise.all(['ca.crt', 'server.crt', 'server.key'].map((f) => readFile(p(f), 'utf8')));
  return { caPem, certPem, keyPem };
}
