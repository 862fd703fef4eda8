/**
 * Loading kubeconfig files the way kubectl does: every file of KUBECONFIG (or the --kubeconfig file,
 * or ~/.kube/config), then the files added in the app. Names merge first-wins across files, as in
 * kubectl (k8s.io/client-go/tools/clientcmd loading rules). Each file loads on its own: a malformed
 * one is reported with its reason and the others are unaffected.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { KubeConfig, type Cluster, type Context, type User } from '@kubernetes/client-node';
import type { KubeconfigProblem } from '../../../common/contract/clusters.ts';
import { limitExecPlugin, PLUGIN_TIMEOUT_MS } from './execPlugin.ts';

export interface LoadedContext {
  context: Context;
  cluster?: Cluster;
  user?: User;
  /** The file the context came from. */
  source: string;
}

export interface LoadResult {
  contexts: Map<string, LoadedContext>;
  problems: KubeconfigProblem[];
  /** The files that were read, in order. */
  files: string[];
  /** current-context of the first file that sets one (kubectl's rule; the client library's loadFromDefault takes the last). */
  currentContext?: string;
}

/** The files kubectl would read: the explicit file, else every entry of KUBECONFIG, else ~/.kube/config. */
export function defaultKubeconfigFiles(opts: { explicit?: string; env?: NodeJS.ProcessEnv; home?: string } = {}): string[] {
  if (opts.explicit) return [resolve(opts.explicit)];
  const env = opts.env ?? process.env;
  if (env.KUBECONFIG) return env.KUBECONFIG.split(delimiter).filter(Boolean).map((f) => resolve(f));
  const home = opts.home ?? homedir();
  const file = join(home, '.kube', 'config');
  return existsSync(file) ? [file] : [];
}

/** Loads and merges files. `required` files that are missing are reported; others are skipped, as kubectl does. */
export function loadKubeconfigs(files: string[], required: Set<string> = new Set()): LoadResult {
  const contexts = new Map<string, LoadedContext>();
  const clusters = new Map<string, Cluster>();
  const users = new Map<string, User>();
  const problems: KubeconfigProblem[] = [];
  const pending: { ctx: Context; source: string }[] = [];
  const seen = new Set<string>();
  const read: string[] = [];
  let currentContext: string | undefined;
  for (const file of files) {
    if (seen.has(file)) continue;
    seen.add(file);
    if (!existsSync(file)) {
      if (required.has(file)) problems.push({ source: file, reason: 'file not found' });
      continue;
    }
    const kc = new KubeConfig();
    try {
      kc.loadFromFile(file);
      if (!Array.isArray(kc.contexts) || !Array.isArray(kc.clusters)) throw new Error('not a kubeconfig (no contexts or clusters)');
    } catch (err) {
      problems.push({ source: file, reason: describeLoadError(err) });
      continue;
    }
    read.push(file);
    currentContext ||= kc.getCurrentContext() || undefined;
    for (const c of kc.clusters) if (!clusters.has(c.name)) clusters.set(c.name, c);
    for (const u of kc.users ?? []) if (!users.has(u.name)) users.set(u.name, u);
    for (const ctx of kc.contexts) pending.push({ ctx, source: file });
  }
  // Contexts resolve their cluster and user against the merged maps, like kubectl.
  for (const { ctx, source } of pending) {
    if (contexts.has(ctx.name)) continue;
    contexts.set(ctx.name, { context: ctx, cluster: clusters.get(ctx.cluster), user: users.get(ctx.user), source });
  }
  return { contexts, problems, files: read, currentContext };
}

function describeLoadError(err: unknown): string {
  const e = err as { name?: string; message?: string; reason?: string; code?: string };
  if (e?.code === 'EACCES') return 'permission denied';
  if (e?.code === 'EISDIR') return 'is a folder, not a file';
  if (e?.name === 'YAMLException') return `not valid YAML: ${e.reason ?? e.message?.split('\n')[0]}`;
  if (e?.name === 'TypeError') return 'not a kubeconfig (empty or not a mapping)';
  return e?.message?.split('\n')[0] ?? String(err);
}

/** A KubeConfig holding only this context, its cluster and its user, with the context current. */
export function kubeConfigOf(loaded: LoadedContext, pluginTimeoutMs = PLUGIN_TIMEOUT_MS): KubeConfig {
  const { context, cluster, user } = loaded;
  if (!cluster) throw new Error(`context ${context.name} refers to cluster "${context.cluster}", which no kubeconfig defines`);
  // Nothing would be sent: saying so beats the server's 401 for an anonymous request.
  if (!user && context.user) throw new Error(`context ${context.name} refers to user "${context.user}", which no kubeconfig defines`);
  const userName = user?.name ?? (context.user || 'anonymous');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [user ?? { name: userName }],
    contexts: [{ ...context, user: userName }],
    currentContext: context.name,
  });
  return limitExecPlugin(kc, pluginTimeoutMs);
}
