/**
 * The recordings view without Svelte or the DOM: the list filter, search-hit snippets split around the
 * match, and the edits the settings form makes to the record policy. lib/recordings.svelte.ts holds the
 * state; these functions are here so node:test can check them.
 */
import type { RecordPolicy, RecordingInfo } from '../../../common/contract/index.ts';
import { formatTimestamp } from '../../../common/format.ts';

/** Recordings whose cluster, namespace, pod, container, command, start or exit code contain every word. */
export function filterRecordings(recordings: RecordingInfo[], filter: string): RecordingInfo[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return recordings;
  return recordings.filter((r) => {
    const hay = [r.context, r.namespace, r.pod, r.container, r.command.join(' '), r.started, r.exitCode === undefined ? '' : `exit ${r.exitCode}`].join(' ').toLowerCase();
    return words.every((w) => hay.includes(w));
  });
}

/** Where a recording was made, in one line. */
export function recordingWhere(r: Pick<RecordingInfo, 'context' | 'namespace' | 'pod' | 'container'>): string {
  return `${r.context} · ${r.namespace}/${r.pod} · ${r.container}`;
}

/** A start time as the list shows it (the raw text if it is not a date). */
export function startedLabel(iso: string): string {
  return formatTimestamp(iso, { seconds: true }) || iso;
}

/** The title of the search results; the main side stops at 200 hits. */
export function matchesTitle(count: number, query: string): string {
  return `${count === 0 ? 'No' : count}${count >= 200 ? '+' : ''} match${count === 1 ? '' : 'es'} for “${query}”`;
}

/** The snippet split around the query, so the match can be marked without HTML injection. */
export function snippetParts(snippet: string, q: string): { text: string; match: boolean }[] {
  const parts: { text: string; match: boolean }[] = [];
  const lower = snippet.toLowerCase();
  const ql = q.toLowerCase();
  let i = 0;
  while (ql) {
    const at = lower.indexOf(ql, i);
    if (at < 0) break;
    if (at > i) parts.push({ text: snippet.slice(i, at), match: false });
    parts.push({ text: snippet.slice(at, at + q.length), match: true });
    i = at + q.length;
  }
  if (i < snippet.length) parts.push({ text: snippet.slice(i), match: false });
  return parts;
}

/** The policy with another mode; switching to per-cluster keeps the clusters chosen before. */
export function withMode(policy: RecordPolicy, mode: RecordPolicy['mode']): RecordPolicy {
  return mode === 'perCluster' ? { mode, contexts: policy.mode === 'perCluster' ? policy.contexts : [] } : { mode };
}

/** A per-cluster policy with one cluster ticked or unticked; another policy is left as it is. */
export function withContext(policy: RecordPolicy, context: string, on: boolean): RecordPolicy {
  if (policy.mode !== 'perCluster') return policy;
  const set = new Set(policy.contexts);
  if (on) set.add(context);
  else set.delete(context);
  return { mode: 'perCluster', contexts: [...set] };
}

/** The clusters the form offers: those loaded now, and those the policy names that are gone. */
export function policyContexts(loaded: string[], policy: RecordPolicy): string[] {
  return [...new Set([...loaded, ...(policy.mode === 'perCluster' ? policy.contexts : [])])];
}
