// npm run demo [-- --port P]: two test clusters and Kubedeck in serve mode, together; prints the URL.
// The quickest way to see Kubedeck work on Linux without a cluster of your own (needs root for the
// test clusters' chroot containers). Ctrl-C stops everything and leaves no process behind.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseServeArgs, sshBanner, startServe } from '../../main/cli/serveCommand.ts';
import { findStaticDir } from '../../main/serve/server.ts';
import { LOG_PODS, startTestClusters, WEB_POD } from './index.ts';

let args;
try {
  args = parseServeArgs(process.argv.slice(2));
} catch (err) {
  console.error(`demo: ${(err as Error).message}`);
  process.exit(2);
}
if (!existsSync(join(findStaticDir(), 'index.html'))) {
  console.error('demo: the UI is not built yet: run `npm run build` first (npm install does it).');
  process.exit(1);
}
const dataDir = process.env.KUBEDECK_DATA_DIR ?? (await mkdtemp(join(tmpdir(), 'kubedeck-demo-')));
console.error('demo: starting two test clusters…');
const clusters = await startTestClusters({ clusters: 2, kubeconfigPath: join(dataDir, 'demo-kubeconfig') });
await clusters.clusters[0].addPod('default', WEB_POD); // something to port-forward to
// Pods that log a line a second (a ticker and a two-pod workload) for the log tabs.
await Promise.all(clusters.clusters.map((c) => c.addPods(LOG_PODS)));
let running;
try {
  // The SSH gateway is part of the demo (any free port unless --ssh-port says which).
  running = await startServe({ ...args, sshPort: args.sshPort ?? 0, kubeconfig: args.kubeconfig ?? clusters.kubeconfigPath }, { dataDir, log: (s) => console.error(`kubedeck: ${s}`) });
} catch (err) {
  await clusters.stop();
  console.error(`demo: ${(err as Error).message}`);
  process.exit(1);
}
for (const c of clusters.clusters) console.log(`  cluster ${c.context}  ${c.server}`);
console.log(`  kubeconfig ${clusters.kubeconfigPath}  (try: kubectl --kubeconfig ${clusters.kubeconfigPath} get pods -A)`);
console.log(`  data      ${dataDir}`);
console.log(`\nKubedeck demo is serving. Open:\n\n  ${running.server.url}\n`);
if (running.ssh) console.log(sshBanner(running.ssh, args.host));
console.log('Ctrl-C stops it.');

let stopping = false;
const stop = async (): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.error('demo: stopping…');
  await running.stop().catch(() => undefined);
  await clusters.stop().catch(() => undefined);
  if (!process.env.KUBEDECK_DATA_DIR) await rm(dataDir, { recursive: true, force: true }).catch(() => undefined);
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
process.on('SIGHUP', () => void stop());
