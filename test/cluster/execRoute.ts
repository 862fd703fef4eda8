// pods/exec and pods/attach routing: the API server's checks before a stream opens (RBAC on the namespace, pod, container,
// scheduled, command and stream flags, protocol negotiation), each failing with the status and wording of a real
// API server, then the WebSocket upgrade handed to an ExecSession (exec.ts). The sessions live here so faults can
// stall or end them all.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ApiError, badRequest, noRoute, notFound, rejectUpgrade, status } from './apiStatus.ts';
import { ExecSession, SUPPORTED_PROTOCOLS, type ExecRequest } from './exec.ts';
import type { PodRecord } from './resources.ts';
import { queryBool } from './queryBool.ts';
import type { AttachFlags, ContainerMain } from './containerMain.ts';

export const TEST_USER = 'kubedeck-tester';
const FORBIDDEN_EXEC_NAMESPACES = new Set(['restricted']);

export interface ExecTarget {
  container: string;
  root: string;
  pod: PodRecord;
}

export interface ExecRouterDeps {
  pod(namespace: string, name: string): PodRecord | undefined;
  /** Host pid of the namespace init of the container with this root, if it has a sandbox. */
  nsPidOf(root: string): number | undefined;
  /** The main process of a container, if it has one attach can reach (ephemeral containers). */
  mainOf(namespace: string, pod: string, container: string): ContainerMain | undefined;
}

function pickProtocol(offered: string[]): string | undefined {
  return offered.find((p) => SUPPORTED_PROTOCOLS.includes(p));
}

export class ExecRouter {
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 << 20,
    handleProtocols: (protocols) => pickProtocol([...protocols]) ?? false });
  private readonly sessions = new Set<ExecSession>();
  private stalled = false;

  constructor(private readonly deps: ExecRouterDeps) {}

  /** Validate an exec target like the API server does; returns the container name and its root. */
  target(namespace: string, name: string, q: URLSearchParams, verb = 'exec'): ExecTarget {
    if (FORBIDDEN_EXEC_NAMESPACES.has(namespace)) {
      throw new ApiError(status(403, 'Forbidden',
        `pods "${name}" is forbidden: User "${TEST_USER}" cannot create resource "pods/${verb}" in API group "" in the namespace "${namespace}"`,
        { name, kind: 'pods' }));
    }
    const pod = this.deps.pod(namespace, name);
    if (!pod) throw notFound('pods', name);
    const spec = pod.object.spec as { containers: { name: string }[]; ephemeralContainers?: { name: string }[] };
    const containers = spec.containers.map((c) => c.name);
    const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
    let container = q.get('container') ?? '';
    if (!container) {
      if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
      container = containers[0];
    } else if (!containers.includes(container) && !ephemeral.includes(container)) {
      throw badRequest(`container ${container} is not valid for pod ${name}`);
    }
    if (!(pod.object.spec as { nodeName?: string }).nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
    const root = pod.roots.get(container);
    // An ephemeral container that never started (image not pulled) or has ended: what the kubelet answers.
    if (!root || (ephemeral.includes(container) && !this.deps.mainOf(namespace, name, container)?.running)) {
      throw new ApiError(status(500, 'InternalError', `unable to upgrade connection: container not found ("${container}")`));
    }
    return { container, root, pod };
  }

  /** An authenticated upgrade request: an exec stream, or a refusal written on the raw socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const reject = (code: number, body: Record<string, unknown> | string) => rejectUpgrade(socket, code, body);
    const url = new URL(req.url ?? '/', 'https://x');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)\/?$/.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'POST')) return reject(404, noRoute());
    const [, namespace, podName, verb] = m;
    let target;
    try {
      target = this.target(namespace, podName, url.searchParams, verb);
    } catch (e) {
      const body = e instanceof ApiError ? e.body : status(500, 'InternalError', String(e));
      return reject(Number(body.code), body);
    }
    const q = url.searchParams;
    const bool = (k: string) => queryBool(q, k);
    if (verb === 'attach') return this.upgradeAttach(req, socket, head, target, { stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty') });
    const command = q.getAll('command');
    const exec: ExecRequest = {
      namespace, pod: podName, container: target.container, root: target.root, command,
      stdin: bool('stdin'), stdout: bool('stdout'), stderr: bool('stderr'), tty: bool('tty'), hostname: podName,
      nsPid: this.deps.nsPidOf(target.root),
    };
    if (!command.length) return reject(400, status(400, 'BadRequest', 'you must specify at least one command for the container'));
    if (!exec.stdin && !exec.stdout && !exec.stderr) return reject(400, status(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'));
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(400, status(400, 'BadRequest', `unable to upgrade connection: this test API server speaks WebSocket (${SUPPORTED_PROTOCOLS.join(', ')}) only`));
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const protocol = pickProtocol(offered);
    if (!protocol) {
      return reject(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${SUPPORTED_PROTOCOLS.join(' ')}]`);
    }
    // The API server upgrades POST as well as GET (SPDY-era clients POST); ws accepts GET only.
    if (req.method === 'POST') req.method = 'GET';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new ExecSession(ws, protocol, exec, this.stalled);
      this.sessions.add(session);
      session.finished.then(() => this.sessions.delete(session), () => this.sessions.delete(session));
    });
  }

  /** pods/attach: the same checks and protocols as exec, then the stream joins the container's main process. */
  private upgradeAttach(req: IncomingMessage, socket: Duplex, head: Buffer, target: ExecTarget, flags: AttachFlags): void {
    const reject = (code: number, body: Record<string, unknown> | string) => rejectUpgrade(socket, code, body);
    const { metadata } = target.pod.object;
    const main = this.deps.mainOf(String(metadata.namespace), String(metadata.name), target.container);
    if (!main) return reject(500, status(500, 'InternalError', `unable to upgrade connection: container ${target.container} has no process to attach to in this test double (only ephemeral containers do)`));
    if (!flags.stdin && !flags.stdout && !flags.stderr) return reject(400, status(400, 'BadRequest', 'you must specify at least 1 of stdin, stdout, stderr'));
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(400, status(400, 'BadRequest', `unable to upgrade connection: this test API server speaks WebSocket (${SUPPORTED_PROTOCOLS.join(', ')}) only`));
    }
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const protocol = pickProtocol(offered);
    if (!protocol) {
      return reject(403, `unable to upgrade: unable to negotiate protocol: client supports [${offered.join(' ')}], server supports [${SUPPORTED_PROTOCOLS.join(' ')}]`);
    }
    if (req.method === 'POST') req.method = 'GET';
    this.wss.handleUpgrade(req, socket, head, (ws) => main.attach(ws, protocol, flags));
  }

  /** Hold (true) or release (false) every exec stream in both directions; new streams start held too. */
  stall(on: boolean): void {
    this.stalled = on;
    for (const s of this.sessions) s.stall(on);
  }

  /** Kill every session's process. */
  killAll(): void {
    for (const s of this.sessions) s.kill();
  }

  /** Kill every session's process and forget the sessions. */
  clear(): void {
    this.killAll();
    this.sessions.clear();
  }
}
