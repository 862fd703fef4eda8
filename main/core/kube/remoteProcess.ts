/** The ExecFn of the product: the terminals engineer's openExec (v5 exec WebSocket with backpressured Node streams). */
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerRef } from '../../../common/contract/terminals.ts';
import { openExec } from '../kube/exec.ts';
import type { ExecFn, RemoteProcess } from './exec.ts';

export function kubeExec(kc: KubeConfig, target: ContainerRef): ExecFn {
  return async (command): Promise<RemoteProcess> => {
    const s = await openExec(kc, target, { command, tty: false, stdin: true, stderr: true, keepAliveMs: 15_000 });
    const { stdin, stdout, stderr } = s.toStreams();
    return {
      stdin,
      stdout,
      stderr,
      done: s.done.then((r) => ({ exitCode: r.exitCode, error: r.error, dropped: r.dropped })),
      close: () => s.close(),
    };
  };
}
