/**
 * An ExecFn that runs commands on this machine (a PATH of busybox links stands in for a busybox image).
 * Unit tests run the remote scripts with it against GNU and busybox tools without a cluster; the
 * product uses kubeExec (kube/remoteProcess.ts) over the Kubernetes API.
 */
import { spawn } from 'node:child_process';
import type { ExecFn, RemoteProcess } from '../kube/remoteProcess.ts';

export function hostExec(env: NodeJS.ProcessEnv = process.env, cwd = '/'): ExecFn {
  return async (command) => {
    const child = spawn(command[0], command.slice(1), { env, cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    const done = new Promise<{ exitCode: number; error?: string }>((resolve) => {
      child.once('error', (e) => resolve({ exitCode: 127, error: e.message }));
      child.once('close', (code, sig) => resolve(sig ? { exitCode: 128, error: `killed by ${sig}` } : { exitCode: code ?? 0 }));
    });
    const p: RemoteProcess = {
      stdin: child.stdin,
      stdout: child.stdout,
      stderr: child.stderr,
      done,
      close: () => child.kill('SIGKILL'),
    };
    return p;
  };
}
