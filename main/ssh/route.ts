/**
 * Where an SSH login lands, from its user name: `context/namespace/pod/container`, the container optional
 * when the pod has one, and the short forms `pod` and `namespace/pod` on the kubeconfig's current context.
 *
 * Each part is percent-decoded, so a context whose name has a `/` or another character a shell or ssh
 * would mangle (EKS's `arn:aws:eks:…:cluster/name`) is written with `%2F` for the slash (`%25` for a `%`):
 *   ssh -l 'arn:aws:eks:eu-west-1:1234:cluster%2Fprod/default/web' -p 2222 127.0.0.1
 */
import type { ContainerRef } from '../../common/contract/containerRef.ts';

/** `container` is '' when not given: the API server picks a pod's only container (and names them all if there are more). */
export type Route = ContainerRef;

export class RouteError extends Error {}

export const ROUTE_HELP =
  'log in as context/namespace/pod[/container], namespace/pod or pod (on the current context); write a "/" inside a name as %2F';

export interface RouteDefaults {
  /** The kubeconfig's current-context. */
  currentContext?: string;
  /** A context's own namespace (kubeconfig), for the short form `pod`; default "default". */
  namespaceOf?(context: string): string | undefined;
}

export function parseRoute(user: string, defaults: RouteDefaults): Route {
  const currentContext = defaults.currentContext;
  const parts = user.split('/');
  if (parts.length > 4 || parts.some((p) => p === '')) throw new RouteError(`"${user}" is not a pod address: ${ROUTE_HELP}`);
  let decoded: string[];
  try {
    decoded = parts.map((p) => decodeURIComponent(p));
  } catch {
    throw new RouteError(`"${user}" has a bad %-escape: ${ROUTE_HELP}`);
  }
  if (decoded.length <= 2) {
    if (!currentContext) throw new RouteError(`"${user}" names no context and the kubeconfig has no current-context: ${ROUTE_HELP}`);
    const [namespace, pod] = decoded.length === 1 ? [defaults.namespaceOf?.(currentContext) || 'default', decoded[0]] : decoded;
    return { context: currentContext, namespace, pod, container: '' };
  }
  const [context, namespace, pod, container = ''] = decoded;
  return { context, namespace, pod, container };
}

/** How a route is written back (the audit trail, messages). */
export function routeName(r: Route): string {
  const enc = (s: string) => s.replace(/%/g, '%25').replace(/\//g, '%2F');
  return [r.context, r.namespace, r.pod, r.container].filter(Boolean).map(enc).join('/');
}
