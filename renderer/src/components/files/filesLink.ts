// Deep link into the files view: #/files/<context>/<namespace>/<pod>/<container><absolute path>
// (each name URI-encoded), e.g. from a terminal tab at its shell's working directory.
import type { ContainerRef } from '../../../../common/contract/index.ts';

export function filesLink(ref: ContainerRef, path = '/'): string {
  const p = path.split('/').map(encodeURIComponent).join('/');
  return `#/files/${[ref.context, ref.namespace, ref.pod, ref.container].map(encodeURIComponent).join('/')}${p.startsWith('/') ? p : `/${p}`}`;
}

export function parseFilesLink(hash: string): { ref: ContainerRef; path: string } | undefined {
  const m = /^#\/files\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)(\/.*)?$/.exec(hash);
  if (!m) return undefined;
  try {
    const [context, namespace, pod, container] = m.slice(1, 5).map(decodeURIComponent);
    const path = (m[5] ?? '/').split('/').map(decodeURIComponent).join('/') || '/';
    return { ref: { context, namespace, pod, container }, path };
  } catch {
    return undefined;
  }
}
