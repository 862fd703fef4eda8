// Table output (Accept: application/json;as=Table;v=v1;g=meta.k8s.io): what `kubectl get` asks for and prints.
// The columns and the Age wording are the API server's, so kubectl output against the double reads as against a
// real cluster.
import type { K8sObject, Resource } from './resources.ts';

/** Age as the API server words it (duration.HumanDuration): 45s, 3m20s, 2h, 5d3h… */
export function humanDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 ? `${h}h${m % 60}m` : `${h}h`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (d < 8) return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
  return `${d}d`;
}

/** A meta.k8s.io/v1 Table of `items` at resourceVersion `rv`. */
export function toTable(resource: Resource, items: K8sObject[], rv: string): Record<string, unknown> {
  const now = Date.now();
  const age = (o: K8sObject) => humanDuration(now - Date.parse(String(o.metadata.creationTimestamp)));
  const col = (name: string, type: string, priority = 0, format = '') => ({ name, type, format, description: name, priority });
  const meta = (o: K8sObject) => ({ kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
  if (resource === 'namespaces') {
    return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: rv },
      columnDefinitions: [col('Name', 'string', 0, 'name'), col('Status', 'string'), col('Age', 'string')],
      rows: items.map((o) => ({ cells: [o.metadata.name, (o.status as { phase: string }).phase, age(o)], object: meta(o) })) };
  }
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: rv },
    columnDefinitions: [col('Name', 'string', 0, 'name'), col('Ready', 'string'), col('Status', 'string'), col('Restarts', 'string'),
      col('Age', 'string'), col('IP', 'string', 1), col('Node', 'string', 1), col('Nominated Node', 'string', 1), col('Readiness Gates', 'string', 1)],
    rows: items.map((o) => {
      const st = o.status as { phase: string; podIP?: string; containerStatuses?: { ready: boolean }[] };
      const spec = o.spec as { containers: unknown[]; nodeName?: string };
      const ready = (st.containerStatuses ?? []).filter((c) => c.ready).length;
      return { cells: [o.metadata.name, `${ready}/${spec.containers.length}`, st.phase, '0', age(o), st.podIP ?? '<none>',
        spec.nodeName ?? '<none>', '<none>', '<none>'], object: meta(o) };
    }) };
}
