// npm run test-cluster -- --kubeconfig FILE [--clusters N]
// Starts N fake clusters on loopback, writes FILE, prints a line containing "ready", serves until SIGINT/SIGTERM.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startTestClusters } from './index.ts';

function usage(msg?: string): never {
  if (msg) console.error(`test-cluster: ${msg}`);
  console.error('usage: npm run test-cluster -- --kubeconfig FILE [--clusters N]');
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { kubeconfig: { type: 'string' }, clusters: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }).values;
} catch (e) {
  usage((e as Error).message);
}
if (args.help) usage();
if (!args.kubeconfig) usage('--kubeconfig FILE is required');
const n = args.clusters === undefined ? 2 : Number(args.clusters);
if (!Number.isInteger(n) || n < 1 || n > 50) usage(`--clusters must be a whole number from 1 to 50, got "${args.clusters}"`);

let tc;
try {
  tc = await startTestClusters({ clusters: n, kubeconfigPath: args.kubeconfig });
} catch (e) {
  console.error(`test-cluster: ${(e as Error).message}`);
  process.exit(1);
}
let stopping = false;
const shutdown = async (sig: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`test-cluster: ${sig}, stopping`);
  await tc.stop();
  console.log('test-cluster: stopped');
  process.exit(0);
};
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGHUP', () => void shutdown('SIGHUP'));
// `npm run` forwards SIGTERM to `sh -c tsx …`, which dies without passing it on: watch the launcher chain
// (npm, sh, tsx) and stop when any of it is gone, so nothing outlives the command the user stopped.
const launchers = launcherChain();
setInterval(() => {
  for (const pid of launchers) {
    try { process.kill(pid, 0); } catch { void shutdown('launcher exited'); return; }
  }
}, 500).unref();

function launcherChain(): number[] {
  const out: number[] = [];
  let pid = process.ppid;
  for (let i = 0; i < 4 && pid > 1; i++) {
    let cmd: string, stat: string;
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch { break; }
    if (!/npm|tsx|test\/cluster\/cli/.test(cmd)) break;
    out.push(pid);
    pid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  }
  return out;
}

for (const c of tc.clusters) console.log(`  ${c.context}  ${c.server}`);
console.log(`test-cluster ready: ${tc.clusters.length} cluster(s), kubeconfig ${tc.kubeconfigPath}`);
console.log(`  try: kubectl --kubeconfig ${tc.kubeconfigPath} get pods -A`);
console.log(`       kubectl --kubeconfig ${tc.kubeconfigPath} exec -it shell -- bash`);
