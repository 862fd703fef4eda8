/**
 * The test clusters in their own process, so that the API-server double's work never shares an event
 * loop with the Kubedeck core measured in the bench process (kubectl gets a process of its own too).
 * Talks to cluster.ts over the IPC channel; stops everything when the parent goes away.
 */
import { startTestClusters, type TestClusters } from '../cluster/index.ts';

type Request = { id: number; op: 'rootOf' | 'processes'; args: [context: string, namespace: string, pod: string, container: string] } | { id: number; op: 'stop' };

const [n, kubeconfigPath] = [Number(process.argv[2] ?? 3), process.argv[3]];
let clusters: TestClusters | undefined;
let stopping: Promise<void> | undefined;

function stop(): Promise<void> {
  stopping ??= (clusters?.stop() ?? Promise.resolve()).catch(() => undefined);
  return stopping;
}

process.on('disconnect', () => void stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void stop().then(() => process.exit(0)));

process.on('message', async (m: Request) => {
  try {
    if (m.op === 'stop') {
      await stop();
      process.send!({ id: m.id, value: true });
      return;
    }
    const c = clusters!.clusters.find((x) => x.context === m.args[0]);
    if (!c) throw new Error(`no cluster ${m.args[0]}`);
    const [, ns, pod, container] = m.args;
    const value = m.op === 'rootOf' ? c.rootOf(ns, pod, container) : await c.processes(ns, pod, container);
    process.send!({ id: m.id, value });
  } catch (e) {
    process.send!({ id: m.id, error: String((e as Error)?.message ?? e) });
  }
});

try {
  clusters = await startTestClusters({ clusters: n, kubeconfigPath });
  process.send!({ ready: { kubeconfigPath: clusters.kubeconfigPath, contexts: clusters.contexts } });
} catch (e) {
  process.send!({ failed: String((e as Error)?.stack ?? e) });
  process.exit(1);
}
