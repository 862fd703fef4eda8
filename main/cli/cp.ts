/**
 * `kubedeck cp [--context C] [-c CONTAINER] [--kubeconfig F] SRC DST` — kubectl cp's path syntax
 * (`[namespace/]pod:/path`), Kubedeck's engine: streamed tar with safe extraction, resume after a
 * dropped stream, temp name then rename, and a hash (BLAKE2b or SHA-256, else size) check at the end.
 * Exit codes: 0 copied, 1 failed, 2 bad usage.
 */
import { CoreV1Api } from '@kubernetes/client-node';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describeApiError } from '../core/kube/apiErrors.ts';
import { ClusterRegistry } from '../core/clusters/clusterRegistry.ts';
import { type ExecFn, kubeExec } from '../core/kube/remoteProcess.ts';
import { RemoteFs } from '../core/files/remoteFs.ts';
import { Cancelled, type ItemHooks } from '../core/files/copyStream.ts';
import { downloadItem } from '../core/files/download.ts';
import { uploadItem } from '../core/files/upload.ts';
import { dataDir, SettingsStore, symlinkMode } from '../core/settings/settings.ts';
import { parseCommand, UsageError } from './args.ts';
import { formatBytes, formatDuration, formatRate } from '../../common/format.ts';

export const CP_USAGE = 'usage: kubedeck cp [--context C] [-c CONTAINER] [--kubeconfig FILE] [--no-compress] [--keep-symlinks] SRC DST\n' +
  '  --keep-symlinks: create symlinks from the container that stay inside the copy (default: skip them,\n' +
  '  or the app setting files.keepSymlinks)\n' +
  '  SRC/DST: a local path, or [namespace/]pod:/path in the container';

export interface CpArgs {
  context?: string;
  container?: string;
  kubeconfig?: string;
  compress: 'auto' | 'never';
  /** Only when given: otherwise the app's setting decides. */
  keepSymlinks?: true;
  src: string;
  dst: string;
}

const CP_OPTIONS = {
  context: { type: 'string' },
  container: { type: 'string', short: 'c' },
  kubeconfig: { type: 'string' },
  'no-compress': { type: 'boolean' },
  'keep-symlinks': { type: 'boolean' },
} as const;

export function parseCpArgs(argv: string[]): CpArgs {
  const { values, positionals } = parseCommand(argv, { options: CP_OPTIONS, usage: CP_USAGE, positionals: true });
  if (positionals.length !== 2) throw new UsageError('need exactly SRC and DST', CP_USAGE);
  const out: CpArgs = { compress: values['no-compress'] ? 'never' : 'auto', src: positionals[0], dst: positionals[1] };
  if (values.context !== undefined) out.context = values.context;
  if (values.container !== undefined) out.container = values.container;
  if (values.kubeconfig !== undefined) out.kubeconfig = values.kubeconfig;
  if (values['keep-symlinks']) out.keepSymlinks = true;
  return out;
}

/** `[ns/]pod:/path` → its parts; undefined for a local path (as kubectl: a colon before any slash). */
export function parseRemote(spec: string): { namespace?: string; pod: string; path: string } | undefined {
  const colon = spec.indexOf(':');
  if (colon <= 0) return undefined;
  const head = spec.slice(0, colon);
  if (head.includes('/') && head.split('/').length > 2) return undefined;
  if (/^[A-Za-z]$/.test(head)) return undefined; // a Windows drive letter
  const [a, b] = head.split('/');
  // Namespaces and pods are DNS names: "./x:y" or "my file:1" are local paths.
  const dns = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
  if (!dns.test(a) || (b !== undefined && !dns.test(b))) return undefined;
  return b === undefined ? { pod: a, path: spec.slice(colon + 1) } : { namespace: a, pod: b, path: spec.slice(colon + 1) };
}

export interface CpIo {
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  /** Where KUBECONFIG and KUBEDECK_DATA_DIR are read, as the app reads them. Default: process.env. */
  env?: NodeJS.ProcessEnv;
}

/**
 * KUBEDECK_TRACE=1: one stderr line per container command (start and end, ms since the process
 * started), to see where a copy's time goes without a profiler.
 */
function traced(exec: ExecFn, err: NodeJS.WriteStream): ExecFn {
  const ms = () => performance.now().toFixed(0).padStart(6);
  return async (command) => {
    const what = command.join(' ').replace(/\s+/g, ' ').slice(0, 100);
    err.write(`trace ${ms()} exec> ${what}\n`);
    const p = await exec(command);
    err.write(`trace ${ms()} open  ${what}\n`);
    void p.done.then((r) => err.write(`trace ${ms()} done  ${what} (exit ${r.exitCode})\n`));
    return p;
  };
}

/** `kubedeck cp`; resolves to the exit code (0 copied, 1 failed, 2 bad usage). */
export async function runCp(argv: string[], io: CpIo = { out: process.stdout, err: process.stderr }): Promise<number> {
  let args: CpArgs;
  try {
    args = parseCpArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err.write(`${e.reason ? 'kubedeck cp: ' : ''}${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const from = parseRemote(args.src);
  const to = parseRemote(args.dst);
  if (!!from === !!to) {
    io.err.write(`kubedeck cp: exactly one of SRC and DST must be in a container (namespace/pod:/path)\n${CP_USAGE}\n`);
    return 2;
  }
  // The app's registry, built the app's way: the same files in the same order (--kubeconfig, else
  // KUBECONFIG, else ~/.kube/config, then the files added in the app), so the same current context.
  const env = io.env ?? process.env;
  const settings = SettingsStore.inDataDir(dataDir(env), { readOnly: true });
  const registry = new ClusterRegistry({ kubeconfig: args.kubeconfig, env, settings, watchFilesMs: 0 });
  const abort = new AbortController();
  const onSig = () => abort.abort();
  process.once('SIGINT', onSig);
  process.once('SIGTERM', onSig);
  try {
    const { clusters, problems } = registry.listClusters();
    const context = args.context ?? registry.currentContext() ?? clusters[0]?.context;
    if (!context || !registry.has(context)) {
      const why = problems.map((p) => `${p.source}: ${p.reason}`).join('; ');
      io.err.write(`kubedeck cp: ${context ? `unknown context "${context}"` : 'no kubeconfig context'}${why ? ` (${why})` : ''}\n`);
      return 1;
    }
    const kc = registry.kubeConfigFor(context);
    const remoteSpec = (from ?? to)!;
    const namespace = remoteSpec.namespace ?? clusters.find((c) => c.context === context)?.defaultNamespace ?? 'default';
    let container = args.container;
    if (!container) {
      const podObj = await kc
        .makeApiClient(CoreV1Api)
        .readNamespacedPod({ name: remoteSpec.pod, namespace })
        .catch((e: unknown) => {
          throw new Error(`cannot read pod ${namespace}/${remoteSpec.pod}: ${describeApiError(e, kc.getCurrentCluster()?.server).reason}`);
        });
      container = podObj.spec?.containers?.[0]?.name;
      if (!container) throw new Error(`pod ${namespace}/${remoteSpec.pod} has no containers`);
    }
    const exec = kubeExec(kc, { context, namespace, pod: remoteSpec.pod, container });
    const remote = new RemoteFs(env.KUBEDECK_TRACE ? traced(exec, io.err) : exec);
    const tty = !!io.out.isTTY;
    let total = 0;
    let bytes = 0;
    const t0 = Date.now();
    let lastDraw = 0;
    const draw = (final = false) => {
      if (!tty) return;
      const now = Date.now();
      if (!final && now - lastDraw < 100) return;
      lastDraw = now;
      const pct = total ? Math.min(1, bytes / total) : 0;
      const width = 30;
      const rate = bytes / Math.max(0.001, (now - t0) / 1000);
      const eta = rate > 0 && total > bytes ? Math.round((total - bytes) / rate) : 0;
      io.out.write(`\r[${'#'.repeat(Math.round(pct * width)).padEnd(width, '.')}] ${(pct * 100).toFixed(0).padStart(3)}% ${formatBytes(bytes)}/${formatBytes(total)} ${formatRate(rate)}${eta ? ` ${formatDuration(eta)} left` : ''}   `);
    };
    const hooks: ItemHooks = {
      signal: abort.signal,
      compress: args.compress,
      symlinks: args.keepSymlinks ? 'create' : symlinkMode(settings),
      onTotal: (n) => (total = n),
      onBytes: (n) => {
        bytes += n;
        draw();
      },
      onNote: (m) => {
        if (tty) io.out.write('\n');
        io.err.write(`kubedeck cp: ${m}\n`);
      },
    };
    let res;
    if (from) {
      // DST: an existing folder (or ends with /) receives SRC's name; otherwise DST is the new name.
      const dst = path.resolve(args.dst);
      const isDir = args.dst.endsWith('/') || (await fsp.stat(dst).then((s) => s.isDirectory(), () => false));
      const dir = isDir ? dst : path.dirname(dst);
      res = await downloadItem(remote, from.path.startsWith('/') ? from.path : `${await remote.homeDir()}/${from.path}`, dir, 'overwrite', { ...hooks, asName: isDir ? undefined : path.basename(dst) });
    } else {
      const dstPath = to!.path.startsWith('/') ? to!.path : path.posix.join(await remote.homeDir(), to!.path);
      const isDir = to!.path.endsWith('/') || (await remote.list(dstPath).then(() => true, () => false));
      const dir = isDir ? dstPath : path.posix.dirname(dstPath);
      res = await uploadItem(remote, path.resolve(args.src), dir, 'overwrite', { ...hooks, asName: isDir ? undefined : path.posix.basename(dstPath) });
    }
    draw(true);
    if (tty) io.out.write('\n');
    for (const w of res.warnings) io.err.write(`kubedeck cp: warning: ${w}\n`);
    io.err.write(`kubedeck cp: ${res.finalPath}: ${formatBytes(total)} copied in ${((Date.now() - t0) / 1000).toFixed(1)} s, ${res.verified}\n`);
    return 0;
  } catch (e) {
    if (io.out.isTTY) io.out.write('\n');
    io.err.write(`kubedeck cp: ${e instanceof Cancelled ? 'cancelled; partial files removed' : (e as Error).message}\n`);
    return 1;
  } finally {
    process.off('SIGINT', onSig);
    process.off('SIGTERM', onSig);
    registry.close();
  }
}
