/**
 * What a share-link holder's connection may call: decided here, on the server, for every call — the page
 * is not trusted to hide what it should not use. A terminal link reaches one session; a container link
 * reaches the sessions in one container (and opens new ones there in control mode) and, if granted, that
 * container's files — never this machine's disk (in serve mode that is the server's), the kubeconfig
 * methods, other clusters, recordings, the audit trail, transfers (they write to the server's disk) or
 * the owner's share-link methods. A view-mode holder never types or resizes.
 */
import type { ContainerRef } from '../../common/contract/containerRef.ts';
import type { ShareMode } from '../../common/contract/share.ts';

export interface ShareScope {
  mode: ShareMode;
  terminal?: string;
  container?: ContainerRef;
  files: boolean;
}

export type Verdict = { ok: true } | { ok: false; message: string };

const OK: Verdict = { ok: true };
const no = (message: string): Verdict => ({ ok: false, message });

export const sameContainer = (a: Partial<ContainerRef> | undefined, b: ContainerRef): boolean =>
  !!a && a.context === b.context && a.namespace === b.namespace && a.pod === b.pod && a.container === b.container;

/** Whether a session id is within the scope; `refOf` says where a running session is. */
export function inScope(scope: ShareScope, id: unknown, refOf: (id: string) => ContainerRef | undefined): boolean {
  if (typeof id !== 'string') return false;
  if (scope.terminal !== undefined) return id === scope.terminal;
  return !!scope.container && sameContainer(refOf(id), scope.container);
}

/** Session methods: first argument is the id. */
const WATCH = new Set(['attachTerminal', 'detachTerminal', 'setTerminalVisible', 'ackTerminal', 'terminalCwd']);
const TYPE = new Set(['writeTerminal', 'resizeTerminal']);
const FILES_READ = new Set(['listDir', 'homeDir']);
const FILES_WRITE = new Set(['makeDir', 'renamePath', 'deletePaths']);
/** Answered whatever the scope (listSessions' answer is filtered to the scope by the caller). */
const ALWAYS = new Set(['listTerminals', 'listSessions', 'shareSession']);

export function checkShareCall(scope: ShareScope, method: string, args: readonly unknown[], refOf: (id: string) => ContainerRef | undefined): Verdict {
  if (ALWAYS.has(method)) return OK;
  const outside = no(`share link: ${method} is outside what this link allows`);
  if (WATCH.has(method)) return inScope(scope, args[0], refOf) ? OK : no('share link: that terminal is not the one shared with you');
  if (TYPE.has(method)) {
    if (!inScope(scope, args[0], refOf)) return no('share link: that terminal is not the one shared with you');
    return scope.mode === 'control' ? OK : no('share link: this link is view only — typing and resizing are refused');
  }
  if (method === 'closeTerminal' || method === 'reconnectTerminal') {
    if (scope.container === undefined) return outside;
    if (scope.mode !== 'control') return no(`share link: this link is view only — ${method} is refused`);
    return inScope(scope, args[0], refOf) ? OK : no('share link: that terminal is not in the shared container');
  }
  if (method === 'openTerminal') {
    if (!scope.container) return no('share link: this link shares one terminal; it cannot open others');
    if (scope.mode !== 'control') return no('share link: this link is view only — it cannot open terminals');
    return sameContainer(args[0] as Partial<ContainerRef>, scope.container) ? OK : no('share link: terminals can only be opened in the shared container');
  }
  if (FILES_READ.has(method) || FILES_WRITE.has(method)) {
    if (!scope.container || !scope.files) return no('share link: this link does not grant files');
    const where = args[0] as { kind?: unknown } & Partial<ContainerRef>;
    if (!where || where.kind !== 'container' || !sameContainer(where, scope.container)) return no('share link: only the shared container’s files can be reached');
    // `through` runs every command in another container of the pod (a debug container): not what was shared.
    if ((where as { through?: unknown }).through !== undefined) return no('share link: files through a debug container are not shared');
    if (FILES_WRITE.has(method) && scope.mode !== 'control') return no(`share link: this link is view only — ${method} is refused`);
    return OK;
  }
  return outside;
}

/**
 * Events a holder's page may get: terminal events only (the host sends those only for sessions this
 * connection opened or attached to, which checkShareCall allowed); never clusters, transfers, recordings,
 * the audit trail or share events.
 */
export function shareEventAllowed(name: string): boolean {
  return name.startsWith('terminal.');
}
