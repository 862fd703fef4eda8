// Label and field selectors as the API server applies them to lists and watches (the subset clients send:
// =, ==, !=, exists, !exists for labels; metadata.name/namespace, status.phase, spec.nodeName for fields).
import type { K8sObject } from './resources.ts';

export function selectorMatches(o: K8sObject, q: URLSearchParams): boolean {
  const ls = q.get('labelSelector');
  if (ls) {
    const labels = (o.metadata.labels ?? {}) as Record<string, string>;
    for (const term of ls.split(',').map((s) => s.trim()).filter(Boolean)) {
      let mm: RegExpExecArray | null;
      if ((mm = /^([^!=]+)!=(.*)$/.exec(term))) { if (labels[mm[1].trim()] === mm[2].trim()) return false; }
      else if ((mm = /^([^=]+)==?(.*)$/.exec(term))) { if (labels[mm[1].trim()] !== mm[2].trim()) return false; }
      else if ((mm = /^!(.+)$/.exec(term))) { if (mm[1].trim() in labels) return false; }
      else if (!(term in labels)) return false;
    }
  }
  const fs = q.get('fieldSelector');
  if (fs) {
    for (const term of fs.split(',').filter(Boolean)) {
      const mm = /^([^!=]+)(!=|==|=)(.*)$/.exec(term);
      if (!mm) continue;
      const val = mm[1] === 'metadata.name' ? o.metadata.name : mm[1] === 'metadata.namespace' ? o.metadata.namespace
        : mm[1] === 'status.phase' ? (o.status as { phase?: string } | undefined)?.phase
          : mm[1] === 'spec.nodeName' ? (o.spec as { nodeName?: string } | undefined)?.nodeName : undefined;
      if (mm[2] === '!=' ? val === mm[3] : val !== mm[3]) return false;
    }
  }
  return true;
}
