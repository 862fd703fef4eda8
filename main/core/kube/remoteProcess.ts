/**
 * "Run a command in a container" as a process with Node byte streams and an exit status. The file
 * engine and the run-and-collect helper (runCollect.ts) are written against this shape, not against
 * the exec WebSocket, so tests can hand them a process on the host instead (files/hostExec.ts runs
 * the same shell scripts against GNU and busybox tools without a cluster).
 */
import { type Readable, Writable } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ContainerRef } from '../../../common/contract/terminals.ts';
import { openExec, type ExecResult } from './execStream.ts';

/** How the process ended: the exec's result (an exit code, or why there is none). */
export type RemoteResult = ExecResult;

export interface RemoteProcess {
  /** Bytes for the command's stdin; end() half-closes it (v5 [255,0]). */
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  done: Promise<RemoteResult>;
  /** Ends the stream now (cancel); done settles soon after. */
  close(): void;
}

/** Runs argv (no shell in between: names pass through untouched) in one fixed container. */
export type ExecFn = (command: string[]) => Promise<RemoteProcess>;

export interface KubeExecOptions {
  /** Open a stdin channel (default true). Without one, writes to `stdin` are dropped. */
  stdin?: boolean;
  /** WebSocket keepalive; 0 for short commands (default 15 s: long copies cross idle proxies). */
  keepAliveMs?: number;
}

/** The ExecFn of the product: the v5 exec WebSocket (execStream.ts) with backpressured Node streams. */
export function kubeExec(kc: KubeConfig, target: ContainerRef, opts: KubeExecOptions = {}): ExecFn {
  const withStdin = opts.stdin ?? true;
  return async (command): Promise<RemoteProcess> => {
    const s = await openExec(kc, target, { command, tty: false, stdin: withStdin, stderr: true, keepAliveMs: opts.keepAliveMs ?? 15_000 });
    const { stdin, stdout, stderr } = s.toStreams();
    return {
      // An exec opened without stdin has no channel to half-close: ending it must not send [255, 0].
      stdin: withStdin ? stdin : discard(),
      stdout,
      stderr,
      done: s.done,
      close: () => s.close(),
    };
  };
}

function discard(): Writable {
  return new Writable({ write: (_chunk, _enc, cb) => cb() });
}
