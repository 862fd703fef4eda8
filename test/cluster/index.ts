// Test clusters: N fake Kubernetes API servers on loopback with real container roots, and a kubeconfig for them.
// Programmatic API used by every test; `npm run test-cluster` (cli.ts) is the same thing for people.
//
//   const tc = await startTestClusters({ clusters: 2 });   // tc.kubeconfigPath, tc.contexts, tc.clusters
//   const c = tc.clusters[0];                               // name/context kd-test-1, port, server, token, caData
//   await c.addPod('team', { name: 'web', image: 'busybox' }); c.addNamespace('x'); await c.deletePod('team', 'web');
//   c.rootOf('default', 'shell', 'main');                   // host path of that container's root filesystem
//   await c.processes('default', 'shell', 'main');          // [{ pid (host), command }] running in that container
//   c.dropConnections(); c.stallStreams(true); await c.restart();   // faults; restart keeps port, pods, processes
//   await c.closeServer(); … await c.start();               // a cluster that is down for a while (same port after)
//   await tc.stop();                                        // kills every container process, removes the roots
//
// Containers are chroot roots with their own PID and mount namespaces (PID 1 is /pause); tty execs run under a
// real PTY (ptyhelper.py). See README "Test clusters"; the wire protocol is checked in cluster.test.ts and
// against kubectl 1.30/1.32/1.33 and @kubernetes/client-node in conformance.test.ts.
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { makeCerts } from './certs.ts';
import { TestCluster, TEST_USER, type ProcessInfo, type TestPodSpec, type TestContainerSpec } from './cluster.ts';
import { buildImages, type ImageKind } from './images.ts';

export { TestCluster, TEST_USER };
export type { ProcessInfo, TestPodSpec, TestContainerSpec, ImageKind };

export interface TestClusters {
  /** The kubeconfig written for these clusters (one context per cluster, namespace default). */
  kubeconfigPath: string;
  /** Context names: kd-test-1, kd-test-2, … */
  contexts: string[];
  clusters: TestCluster[];
  /** Stop every cluster, kill every process started in a container, remove the temporary roots. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** How many clusters (default 2). */
  clusters?: number;
  /** Where to write the kubeconfig (default: inside the temporary folder). */
  kubeconfigPath?: string;
  /** Skip the fixture pods (namespaces default and restricted are still created). */
  empty?: boolean;
}

/** The fixture every cluster starts with (a contract: tests and tools rely on these names). */
export const FIXTURE: { namespace: string; pod: TestPodSpec }[] = [
  { namespace: 'default', pod: { name: 'shell', image: 'full' } },
  { namespace: 'default', pod: { name: 'busybox', image: 'busybox' } },
  { namespace: 'default', pod: { name: 'notar', image: 'notar' } },
  { namespace: 'default', pod: { name: 'distroless', image: 'distroless' } },
  { namespace: 'default', pod: { name: 'multi', containers: [{ name: 'app', image: 'full' }, { name: 'sidecar', image: 'full' }] } },
  { namespace: 'default', pod: { name: 'pending', image: 'full', phase: 'Pending' } },
  { namespace: 'restricted', pod: { name: 'shell', image: 'full' } },
];

/**
 * A pod with a small HTTP server on port 80 (busybox httpd in the pod's own network namespace), the port declared in
 * the spec as real pods do: the port-forward fixture. Not in FIXTURE (tests that count pods stay as they are): add it
 * with `c.addPod('default', WEB_POD)`; the demo has it.
 */
export const WEB_POD: TestPodSpec = {
  name: 'web',
  containers: [{ name: 'httpd', image: 'busybox', ports: [{ name: 'http', containerPort: 80 }],
    command: ['sh', '-c', 'mkdir -p /www && echo "hello from $HOSTNAME" > /www/index.html && exec httpd -f -p 80 -h /www'] }],
};

/**
 * Pods whose main process writes a line a second (`kubectl logs -f` sees them arrive): `default/ticker` ("tick N",
 * every fifth line also on stderr) and two pods of one workload, `web-7d4b9c-x2k4p` and `web-7d4b9c-q8m3n`, owned by
 * ReplicaSet web-7d4b9c (Deployment web). The demo adds them; tests that want logs add them (or their own).
 */
export const LOG_PODS: { namespace: string; pod: TestPodSpec }[] = [
  { namespace: 'default', pod: { name: 'ticker', containers: [{ name: 'main', image: 'busybox',
    command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "tick $i"; [ $((i % 5)) -eq 0 ] && echo "tick $i: every fifth line on stderr" >&2; sleep 1; done'] }] } },
  ...['x2k4p', 'q8m3n'].map((id) => ({ namespace: 'default', pod: {
    name: `web-7d4b9c-${id}`, labels: { app: 'web', 'pod-template-hash': '7d4b9c' }, owner: { kind: 'ReplicaSet', name: 'web-7d4b9c' },
    containers: [{ name: 'web', image: 'busybox' as const,
      command: ['sh', '-c', 'i=0; while :; do i=$((i+1)); echo "$HOSTNAME GET /api/items/$i 200"; sleep 1; done'] }] } })),
];

/** What the test double needs from the machine; throws one clear message listing everything missing. */
export function checkHost(): void {
  const problems: string[] = [];
  if (process.platform !== 'linux') problems.push(`Linux is required (this is ${process.platform})`);
  else if (process.getuid?.() !== 0) problems.push('root is required (containers are chroot roots with device nodes); run as root, e.g. in a container or VM');
  const need: [string, string][] = [['openssl', 'openssl'], ['python3', 'python3'], ['chroot', 'coreutils'], ['ldd', 'libc-bin'],
    ['dpkg', 'dpkg (Debian or Ubuntu)'], ['busybox', 'busybox-static']];
  for (const [cmd, pkg] of need) {
    if (!PATH_DIRS.some((d) => existsSync(join(d, cmd)))) problems.push(`${cmd} not found (install ${pkg})`);
  }
  if (process.platform === 'linux' && !existsSync('/bin/busybox')) problems.push('/bin/busybox not found (apt-get install busybox-static)');
  if (problems.length) throw new Error(`test clusters cannot start: ${problems.join('; ')}`);
}

const PATH_DIRS = [...(process.env.PATH ?? '').split(':').filter(Boolean), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];

export async function startTestClusters(opts: StartOptions = {}): Promise<TestClusters> {
  const n = opts.clusters ?? 2;
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new Error(`clusters must be a whole number from 1 to 50, got ${n}`);
  checkHost();
  await removeStaleRoots();
  const base = await mkdtemp(join(tmpdir(), 'kd-test-clusters-'));
  await writeFile(join(base, 'owner.pid'), String(process.pid));
  const clusters: TestCluster[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await Promise.all(clusters.map((c) => c.stop().catch(() => undefined)));
    await rm(base, { recursive: true, force: true }).catch(() => undefined);
  };
  try {
    const [images, allCerts] = await Promise.all([
      buildImages(join(base, 'images')),
      Promise.all(Array.from({ length: n }, (_, i) => makeCerts(join(base, `kd-test-${i + 1}`, 'pki'), `kd-test-${i + 1}`))),
    ]);
    for (let i = 1; i <= n; i++) {
      const name = `kd-test-${i}`;
      const c = new TestCluster({ index: i, name, dir: join(base, name), images, certs: allCerts[i - 1] });
      clusters.push(c);
      c.addNamespace('default');
      c.addNamespace('kube-system');
      c.addNamespace('restricted');
    }
    await Promise.all(clusters.map(async (c) => {
      if (!opts.empty) await c.addPods(FIXTURE);
      await c.start();
    }));
    const kubeconfigPath = resolve(opts.kubeconfigPath ?? join(base, 'kubeconfig'));
    await mkdir(dirname(kubeconfigPath), { recursive: true });
    await writeFile(kubeconfigPath, kubeconfigYaml(clusters), { mode: 0o600 });
    return { kubeconfigPath, contexts: clusters.map((c) => c.context), clusters, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}

/** Temporary roots of test clusters whose process died without stopping them (its containers died with it). */
async function removeStaleRoots(): Promise<void> {
  const dir = tmpdir();
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (!name.startsWith('kd-test-clusters-')) continue;
    const owner = Number(await readFile(join(dir, name, 'owner.pid'), 'utf8').catch(() => ''));
    if (!owner) continue;
    let alive = true;
    try { process.kill(owner, 0); } catch { alive = false; }
    if (!alive) await rm(join(dir, name), { recursive: true, force: true }).catch(() => undefined);
  }
}

/** A kubeconfig with one cluster, user and context per test cluster; current-context is the first. */
export function kubeconfigYaml(clusters: TestCluster[]): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', `current-context: ${clusters[0]?.context ?? '""'}`, 'clusters:'];
  for (const c of clusters) {
    lines.push(`- name: ${c.name}`, '  cluster:', `    server: ${c.server}`, `    certificate-authority-data: ${c.caData}`);
  }
  lines.push('users:');
  for (const c of clusters) lines.push(`- name: ${c.name}-admin`, '  user:', `    token: ${c.token}`);
  lines.push('contexts:');
  for (const c of clusters) {
    lines.push(`- name: ${c.context}`, '  context:', `    cluster: ${c.name}`, `    user: ${c.name}-admin`, '    namespace: default');
  }
  return lines.join('\n') + '\n';
}
