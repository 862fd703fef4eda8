// The REST side of the API server double: discovery (/version, /api, /apis, /api/v1), namespaces and pods
// (get, list with selectors, watch), as JSON or as a Table for kubectl, pods/log (podLogs.ts) and
// pods/ephemeralcontainers (GET, PATCH, PUT; ephemeral.ts). Otherwise only GET is served; a plain request to
// pods/exec is refused as the API server refuses one that is no upgrade.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, noRoute, notFound, send, status } from './apiStatus.ts';
import { patchEphemeralContainers, replacedEphemeralContainers, type ContainerObject } from './ephemeral.ts';
import type { K8sObject, Resource, ResourceStore } from './resources.ts';
import { queryBool } from './queryBool.ts';
import { selectorMatches } from './selectors.ts';
import { toTable } from './tables.ts';
import type { WatchHub } from './watch.ts';

const VERSION = { major: '1', minor: '32', gitVersion: 'v1.32.2', gitCommit: '67a30c0adcf52bd3f56ff0893ce19966be12991f',
  gitTreeState: 'clean', buildDate: '2025-02-12T21:19:47Z', goVersion: 'go1.23.6', compiler: 'gc', platform: 'linux/amd64' };

const API_RESOURCES = {
  kind: 'APIResourceList', groupVersion: 'v1',
  resources: [
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace',
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['ns'], storageVersionHash: 'Q3oi5N2YM8M=' },
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod',
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'], shortNames: ['po'],
      categories: ['all'], storageVersionHash: 'xPOwRZ+Yhw8=' },
    { name: 'pods/attach', singularName: '', namespaced: true, kind: 'PodAttachOptions', verbs: ['create', 'get'] },
    { name: 'pods/ephemeralcontainers', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get', 'patch', 'update'] },
    { name: 'pods/exec', singularName: '', namespaced: true, kind: 'PodExecOptions', verbs: ['create', 'get'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
  ],
};

const EXEC_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach)$/;
const EPHEMERAL_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/ephemeralcontainers$/;
const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;
const MAX_BODY = 3 << 20;

export interface RestDeps {
  store: ResourceStore;
  watches: WatchHub;
  /** The port the server listens on (discovery names it). */
  port(): number;
  /** Validates an exec target (throws its ApiError), so a plain GET fails as the API server's would. */
  checkExecTarget(namespace: string, pod: string, q: URLSearchParams): void;
  /** PATCH/PUT of pods/ephemeralcontainers: `next` turns the current list into the asked one; returns the pod. */
  updateEphemeral(namespace: string, pod: string, next: (current: ContainerObject[]) => unknown): K8sObject;
  /** GET pods/{name}/log (podLogs.ts): writes the response itself, streaming while it follows. */
  podLog(namespace: string, pod: string, q: URLSearchParams): Promise<void>;
}

/** Serves one authenticated request; throws ApiError for the caller to answer (sendError). */
export async function handleRest(d: RestDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://x');
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const q = url.searchParams;
  const table = /as=Table/.test(req.headers.accept ?? '');
  const method = req.method ?? 'GET';
  let m: RegExpExecArray | null;
  if ((m = EPHEMERAL_PATH.exec(p)) && (method === 'PATCH' || method === 'PUT')) {
    const [, namespace, name] = m;
    const body = await readJson(req);
    const type = String(req.headers['content-type'] ?? '');
    const pod = d.updateEphemeral(namespace, name, (current) =>
      method === 'PUT' ? replacedEphemeralContainers(body) : patchEphemeralContainers(current, type, body));
    return send(res, 200, pod);
  }
  if (method !== 'GET') {
    if (EXEC_PATH.test(p)) return send(res, 400, status(400, 'BadRequest', 'Upgrade request required'));
    return send(res, 405, status(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`));
  }
  if (p === '/version') return send(res, 200, VERSION);
  if (p === '/healthz' || p === '/livez' || p === '/readyz') { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); return; }
  if (p === '/api') return send(res, 200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: `127.0.0.1:${d.port()}` }] });
  if (p === '/apis') return send(res, 200, { kind: 'APIGroupList', apiVersion: 'v1', groups: [] });
  if (p === '/api/v1') return send(res, 200, API_RESOURCES);
  const { store } = d;
  const one = (resource: Resource, o: K8sObject) => send(res, 200, table ? toTable(resource, [o], String(store.rv)) : o);
  const watch = queryBool(q, 'watch');
  if (p === '/api/v1/namespaces') {
    if (watch) return d.watches.serve(req, res, { resource: 'namespaces', table, q });
    return list(res, store, 'namespaces', store.current('namespaces'), table, q);
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)$/.exec(p))) {
    const ns = store.namespaces.get(m[1]);
    if (!ns) throw notFound('namespaces', m[1]);
    return one('namespaces', ns);
  }
  if (p === '/api/v1/pods') {
    if (watch) return d.watches.serve(req, res, { resource: 'pods', table, q });
    return list(res, store, 'pods', store.current('pods'), table, q);
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(p))) {
    const ns = m[1];
    if (watch) return d.watches.serve(req, res, { resource: 'pods', table, q, namespace: ns });
    return list(res, store, 'pods', store.current('pods').filter((o) => o.metadata.namespace === ns), table, q);
  }
  if ((m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(p))) {
    const pod = store.pods.get(`${m[1]}/${m[2]}`);
    if (!pod) throw notFound('pods', m[2]);
    return one('pods', pod.object);
  }
  if ((m = EPHEMERAL_PATH.exec(p))) {
    d.updateEphemeral(m[1], m[2], (current) => current); // the same 404s and 403 as a write
    const pod = store.pods.get(`${m[1]}/${m[2]}`);
    if (!pod) throw notFound('pods', m[2]);
    return send(res, 200, pod.object);
  }
  if ((m = LOG_PATH.exec(p))) return d.podLog(m[1], m[2], q);
  if ((m = EXEC_PATH.exec(p))) {
    d.checkExecTarget(m[1], m[2], q);
    return send(res, 400, status(400, 'BadRequest', 'Upgrade request required'));
  }
  throw new ApiError(noRoute());
}

function list(res: ServerResponse, store: ResourceStore, resource: Resource, items: K8sObject[], table: boolean, q: URLSearchParams): void {
  const filtered = items.filter((o) => selectorMatches(o, q)).sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
  const rv = String(store.rv);
  if (table) return send(res, 200, toTable(resource, filtered, rv));
  send(res, 200, { kind: resource === 'pods' ? 'PodList' : 'NamespaceList', apiVersion: 'v1', metadata: { resourceVersion: rv }, items: filtered });
}

/** A request body as JSON (400 for anything else, 413 above a few MiB). */
async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new ApiError(status(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728'));
    chunks.push(c);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    throw new ApiError(status(400, 'BadRequest', `error decoding patch: ${(e as Error).message}`));
  }
}
