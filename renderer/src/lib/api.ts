/**
 * The renderer's one handle on Kubedeck: `api` implements the KubedeckApi contract.
 * In Electron it is `window.kubedeck` (exposed by preload with contextBridge); in a browser it is a
 * WebSocket client of serve mode, which takes its token from the page URL (`?token=`).
 * Every view imports `api` from here; `connection` tells whether the serve connection is up.
 */
import type { KubedeckApi } from '../../../common/contract/index.ts';
import { WsClient, type ConnectionState } from './wsClient.ts';

export type { ConnectionState } from './wsClient.ts';

declare global {
  interface Window {
    kubedeck?: KubedeckApi;
    /** Electron only (preload): what a desktop window can do that a browser page cannot. */
    kubedeckDesktop?: { pathForFile(file: File): string };
  }
}

/**
 * The local path of a file dropped from the operating system, in Electron (webUtils.getPathForFile);
 * undefined in a browser, where the page only gets the bytes.
 */
export function localPathOf(file: File): string | undefined {
  return window.kubedeckDesktop?.pathForFile(file) || undefined;
}

/** The serve-mode WebSocket URL: same origin as the page, path /ws, the page's token. */
export function serveSocketUrl(loc: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(loc.search).get('token') ?? '';
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${loc.host}/ws?token=${encodeURIComponent(token)}`;
}

const client = window.kubedeck ? undefined : new WsClient(serveSocketUrl(window.location));

export const api: KubedeckApi = window.kubedeck ?? client!.api;

/** True in serve mode (a browser), false in the Electron app. */
export const isServeMode = client !== undefined;

/** The state of the link to the main side. In Electron the IPC link is always up. */
export const connection = {
  get state(): ConnectionState {
    return client ? client.state : { state: 'connected', since: 0 };
  },
  /** Listens for changes; `reconnected` is true after a drop, when sessions of this page are gone on the server. */
  onChange(listener: (s: ConnectionState, reconnected: boolean) => void): () => void {
    return client ? client.onConnection(listener) : () => {};
  },
  retryNow(): void {
    client?.retryNow();
  },
};
