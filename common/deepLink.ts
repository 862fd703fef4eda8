/**
 * Kubedeck's deep links, the page hash that opens a view on one container:
 *
 *   #/terminal/<context>/<namespace>/<pod>/<container>          a terminal in it
 *   #/files/<context>/<namespace>/<pod>/<container><abs path>   the files view at that folder
 *
 * Each name is URI-encoded (EKS contexts hold ':' and '/'); the path keeps its slashes, each segment
 * encoded. Written by `kubedeck --open` (main/core/openArg.ts) and by the renderer (a terminal's
 * "open its folder"), read by the renderer: one module so writer and reader cannot drift apart.
 */
import type { ContainerRef } from './contract/containerRef.ts';

function refPath(ref: ContainerRef): string {
  return [ref.context, ref.namespace, ref.pod, ref.container].map(encodeURIComponent).join('/');
}

/** The four names of a link's match, decoded; undefined for a malformed %-escape. */
function refOf(parts: string[]): ContainerRef | undefined {
  try {
    const [context, namespace, pod, container] = parts.map((p) => decodeURIComponent(p));
    return { context, namespace, pod, container };
  } catch {
    return undefined;
  }
}

export function terminalLink(ref: ContainerRef): string {
  return `#/terminal/${refPath(ref)}`;
}

/** The container a terminal link names; undefined for any other hash. A trailing slash is allowed. */
export function parseTerminalLink(hash: string): ContainerRef | undefined {
  const m = /^#\/terminal\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(hash);
  return m ? refOf(m.slice(1, 5)) : undefined;
}

/** A files link; a relative `path` is taken from the root. */
export function filesLink(ref: ContainerRef, path = '/'): string {
  const p = path.split('/').map(encodeURIComponent).join('/');
  return `#/files/${refPath(ref)}${p.startsWith('/') ? p : `/${p}`}`;
}

/** The container and folder a files link names (the root when it names none); undefined for any other hash. */
export function parseFilesLink(hash: string): { ref: ContainerRef; path: string } | undefined {
  const m = /^#\/files\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)(\/.*)?$/.exec(hash);
  if (!m) return undefined;
  const ref = refOf(m.slice(1, 5));
  if (!ref) return undefined;
  try {
    return { ref, path: (m[5] ?? '/').split('/').map(decodeURIComponent).join('/') || '/' };
  } catch {
    return undefined;
  }
}
