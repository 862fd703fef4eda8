/**
 * Port-forwards: a local TCP listener whose every connection is a stream to a port inside a pod
 * (`pods/portforward`). They belong to the Kubedeck process, not to a page: in the desktop app the
 * listener is on this machine, in serve mode on the server (`onServer`), and a page reload keeps them.
 */

/** The pod a forward reaches. The pod's network is shared by its containers, so `container` only says where the port is declared. */
export interface PortForwardTarget {
  context: string;
  namespace: string;
  pod: string;
  container?: string;
}

export interface StartPortForwardRequest {
  target: PortForwardTarget;
  /** The port inside the pod (1–65535). */
  podPort: number;
  /** The local port; 0 (the default) lets the system pick a free one. */
  localPort?: number;
  /** The address the listener binds to; default 127.0.0.1 (only this machine, or only the server, can connect). */
  bindAddress?: string;
}

export interface PortForwardInfo {
  id: string;
  target: PortForwardTarget;
  podPort: number;
  /** Where to connect: the bound address and port. */
  localAddress: string;
  localPort: number;
  /** True in serve mode: the listener is on the Kubedeck server, not on the machine of the browser. */
  onServer: boolean;
  state: 'active' | 'ended';
  /** Why it ended: stopped by whom, the pod deleted or no longer running, the cluster removed. */
  endedReason?: string;
  /** The last failure of one connection (nothing listens on the port in the pod, the API server refused). */
  lastError?: string;
  /** Bytes from the pod to local clients. */
  bytesIn: number;
  /** Bytes from local clients to the pod. */
  bytesOut: number;
  /** Connections accepted so far, and how many are open now. */
  connections: number;
  activeConnections: number;
  /** Milliseconds since the epoch. */
  startedAt: number;
  endedAt?: number;
  /** Who started it (the audit trail's name). */
  startedBy: string;
}

export interface PortForwardsMethods {
  /**
   * Checks the pod (it exists and runs) and listens on the local port; resolves once the listener is
   * up. Rejects with a sentence: the port is in use ("port 8080 is in use on this machine" / "… on the
   * server"), the pod is gone or not running, a port outside 1–65535, a bind address that is not local.
   * Audited.
   */
  startPortForward(req: StartPortForwardRequest): Promise<PortForwardInfo>;
  /** Every forward of this Kubedeck: active ones and those that ended (until cleared), newest first. */
  listPortForwards(): Promise<PortForwardInfo[]>;
  /** Closes the listener and every connection of a forward; it stays in the list as ended. Audited. */
  stopPortForward(id: string): Promise<void>;
  /** Removes ended forwards from the list. */
  clearEndedPortForwards(): Promise<void>;
}

export interface PortForwardsEvents {
  /** The whole list, after any change; while traffic flows at most a few times a second (live counters). */
  'portForwards.changed': { forwards: PortForwardInfo[] };
}

export const PORT_FORWARDS_METHODS: Record<keyof PortForwardsMethods, true> = {
  startPortForward: true,
  listPortForwards: true,
  stopPortForward: true,
  clearEndedPortForwards: true,
};
