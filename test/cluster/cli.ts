// npm run test-cluster -- --kubeconfig FILE [--clusters N]
// Starts N fake clusters on loopback, writes FILE, prints a line containing "ready", serves until SIGINT/SIGTERM.
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

const tc = await startTestClusters({ clusters: n, kubeconfigPath: args.kubeconfig });
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
for (const c of tc.clusters) console.log(`  ${c.context}  ${c.server}`);
console.log(`test-cluster ready: ${tc.clusters.length} cluster(s), kubeconfig ${tc.kubeconfigPath}`);
console.log(`  try: kubectl --kubeconfig ${tc.kubeconfigPath} get pods -A`);
console.log(`       kubectl --kubeconfig ${tc.kubeconfigPath} exec -it shell -- bash`);
