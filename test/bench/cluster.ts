/** The parent side of clusterHost.ts: test clusters in a child process, and what the bench asks of them. */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { spawnKubectlSink, type Target } from './kubectl.ts';

const HOST = fileURLToPath(new URL('./clusterHost.ts', import.meta.url));

export interface Clusters {
  kubeconfigPath: string;
  contexts: string[];
  /** The host process of the clusters (its memory and CPU are the test double's, not Kubedeck's). */
  pid: number;
  kubeConfigFor(context: string): KubeConfig;
  rootOf(context: string, namespace: string, pod: string, container: string): Promise<string>;
  processes(context: string, namespace: string, pod: string, container: string): Promise<{ pid: number; command: string }[]>;
  /** Kills processes in a container whose command matches (a stream drop leaves them running, as on real runtimes). */
  killIn(target: Target, pattern: RegExp): Promise<number>;
  /** `kubectl exec -it … -- yes` with its output to /dev/null, until the returned function is called. */
  startKubectlFlood(target: Target): () => Promise<void>;
  stop(): Promise<void>;
}

export async function startClusters(n: number, kubeconfigPath: string): Promise<Clusters> {
  const child: ChildProcess = fork(HOST, [String(n), kubeconfigPath], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { res: (v: unknown) => void; rej: (e: Error) => void }>();
  let next = 1;
  const ready = await new Promise<{ kubeconfigPath: string; contexts: string[] }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('test clusters did not start within 120 s')), 120_000);
    child.on('message', (m: { ready?: { kubeconfigPath: string; contexts: string[] }; failed?: string; id?: number; value?: unknown; error?: string }) => {
      if (m.ready) {
        clearTimeout(timer);
        resolve(m.ready);
      } else if (m.failed) {
        clearTimeout(timer);
        reject(new Error(m.failed.split('\n')[0]));
      } else if (m.id !== undefined) {
        const p = pending.get(m.id);
        pending.delete(m.id);
        if (m.error !== undefined) p?.rej(new Error(m.error));
        else p?.res(m.value);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`test cluster host exited with ${code}`));
      for (const p of pending.values()) p.rej(new Error('test cluster host exited'));
    });
  });
  const call = <T>(op: string, args?: string[]): Promise<T> =>
    new Promise<T>((res, rej) => {
      const id = next++;
      pending.set(id, { res: res as (v: unknown) => void, rej });
      child.send({ id, op, args });
    });
  const kcs = new Map<string, KubeConfig>();
  const processes = (ctx: string, ns: string, pod: string, c: string) => call<{ pid: number; command: string }[]>('processes', [ctx, ns, pod, c]);
  const killIn = async (t: Target, pattern: RegExp) => {
    const procs = await processes(t.context, t.namespace, t.pod, t.container);
    let n = 0;
    for (const p of procs) {
      if (!pattern.test(p.command)) continue;
      try {
        process.kill(p.pid, 'SIGKILL');
        n++;
      } catch {
        // already gone
      }
    }
    return n;
  };
  return {
    ...ready,
    pid: child.pid!,
    kubeConfigFor(context) {
      let kc = kcs.get(context);
      if (!kc) {
        kc = new KubeConfig();
        kc.loadFromFile(ready.kubeconfigPath);
        kc.setCurrentContext(context);
        kcs.set(context, kc);
      }
      return kc;
    },
    rootOf: (ctx, ns, pod, c) => call<string>('rootOf', [ctx, ns, pod, c]),
    processes,
    killIn,
    startKubectlFlood(t) {
      const p = spawnKubectlSink(t, ['sh', '-c', 'exec yes kubedeck-bench-flood']);
      return async () => {
        await killIn(t, /kubedeck-bench-flood/);
        await new Promise<void>((r) => {
          if (p.exitCode !== null) return r();
          const timer = setTimeout(() => p.kill('SIGKILL'), 5000);
          p.once('exit', () => (clearTimeout(timer), r()));
        });
      };
    },
    async stop() {
      if (child.exitCode !== null) return;
      await call('stop').catch(() => undefined);
      child.disconnect();
      await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    },
  };
}
