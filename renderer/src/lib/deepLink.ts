/** Deep links: `#/terminal/<context>/<namespace>/<pod>/<container>` (each part URI-encoded) opens that terminal. */
import type { ContainerRef } from '../../../common/contract/index.ts';

export function parseTerminalLink(hash: string): ContainerRef | undefined {
  const m = /^#\/terminal\/([^/]+)\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(hash);
  if (!m) return undefined;
  try {
    const [context, namespace, pod, container] = m.slice(1).map((p) => decodeURIComponent(p));
    return { context, namespace, pod, container };
  } catch {
    return undefined;
  }
}

export function terminalLink(ref: ContainerRef): string {
  return `#/terminal/${[ref.context, ref.namespace, ref.pod, ref.container].map(encodeURIComponent).join('/')}`;
}
