/**
 * A time limit for kubeconfig credential plugins (`users[].user.exec`). @kubernetes/client-node runs the
 * plugin and waits for it for as long as it takes, so a plugin that never answers (waiting for a browser
 * login nobody sees, a hung cloud CLI) hangs every call of that context, and the tree then blames the API
 * server. Here the plugin gets a limit of its own and the error names it. The library's ExecAuth has no
 * option for this; its spawn function is replaced on the one KubeConfig we build per context.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { basename } from 'node:path';
import { PassThrough } from 'node:stream';
import type { KubeConfig } from '@kubernetes/client-node';

/** Less than the 15 s a probe waits for the server, so the plugin's own sentence is the one shown. */
export const PLUGIN_TIMEOUT_MS = 10_000;

type SpawnFn = (command: string, args: readonly string[] | undefined, opts: SpawnOptions) => ChildProcess;

/**
 * A spawn that gives up on the plugin after `timeoutMs`: kills it and ends like a failed plugin, with a
 * sentence naming it on stderr (ExecAuth turns a non-zero exit's stderr into the error message).
 */
export function boundedSpawn(timeoutMs: number, real: SpawnFn = spawn as SpawnFn): SpawnFn {
  return (command, args, opts) => {
    const child = real(command, args ?? [], opts);
    const fake = new EventEmitter() as EventEmitter & { stdout: PassThrough; stderr: PassThrough };
    fake.stdout = new PassThrough();
    fake.stderr = new PassThrough();
    child.stdout?.pipe(fake.stdout, { end: false });
    child.stderr?.pipe(fake.stderr, { end: false });
    let finished = false;
    const finish = (code: number | null, message?: string): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (message) fake.stderr.write(message);
      // Let the piped output reach ExecAuth's listeners before it reads them on 'close'.
      setImmediate(() => fake.emit('close', code));
    };
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      finish(1, `the credential plugin "${basename(command)}" gave no answer within ${timeoutMs / 1000} s`);
    }, timeoutMs);
    timer.unref();
    child.on('error', (err) => {
      const why = pluginSpawnFailure(command, err, opts.env?.PATH ?? process.env.PATH);
      // Said as the plugin's own failure (ExecAuth reports its stderr), so the tree shows the sentence.
      if (why) finish(1, why);
      else {
        fake.emit('error', err);
        finish(1);
      }
    });
    child.on('close', (code) => finish(code));
    return fake as unknown as ChildProcess;
  };
}

/**
 * The sentence for a plugin that could not be started: which command was missing and which PATH was
 * searched (an app started from a desktop launcher or the Dock has a short PATH; main/core/env takes the
 * login shell's at start, and this says what was still not found). Undefined for other spawn errors.
 */
export function pluginSpawnFailure(command: string, err: NodeJS.ErrnoException, path: string | undefined): string | undefined {
  const name = basename(command);
  const hasDir = command.includes('/') || command.includes('\\');
  if (err.code === 'ENOENT') {
    if (hasDir) return `the credential plugin "${command}" does not exist`;
    return `the credential plugin "${name}" was not found on PATH (${path ? `searched ${path}` : 'PATH is empty'}); install it, or give its full path as the kubeconfig's exec command`;
  }
  if (err.code === 'EACCES') return `the credential plugin "${command}" could not be run: permission denied (is it executable?)`;
  return undefined;
}

/** Puts the time limit on the credential plugin of this KubeConfig (if its user has one). */
export function limitExecPlugin(kc: KubeConfig, timeoutMs = PLUGIN_TIMEOUT_MS): KubeConfig {
  const auths = (kc as unknown as { authenticators?: object[] }).authenticators ?? [];
  for (const a of auths) {
    if ('execFn' in a) (a as { execFn: SpawnFn }).execFn = boundedSpawn(timeoutMs);
  }
  return kc;
}
