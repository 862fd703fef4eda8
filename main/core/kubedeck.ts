/**
 * The composition root: one Kubedeck holds the shared services (clusters, recordings, audit, settings);
 * each client (an Electron window, a serve-mode WebSocket) gets its own KubedeckMethods and event
 * stream. Terminal sessions belong to the one session host: closing a client only detaches it from its
 * sessions (they end after the grace period, `terminals.graceSeconds`); shutdown() ends everything.
 */
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { METHOD_NAMES, type KubedeckEventName, type KubedeckEvents, type KubedeckMethods, type PodInfo } from '../../common/contract/index.ts';
import { AUDIT_METHODS, type AuditMethods } from '../../common/contract/audit.ts';
import { FILES_METHODS, type FilesMethods } from '../../common/contract/files.ts';
import { RECORDINGS_METHODS, type RecordingsMethods } from '../../common/contract/recordings.ts';
import { TERMINALS_METHODS, type TerminalsMethods } from '../../common/contract/terminals.ts';
import { DEBUG_METHODS, type DebugMethods } from '../../common/contract/debug.ts';
import { LOGS_METHODS, type LogsMethods } from '../../common/contract/logs.ts';
import { LogsService } from './logs/logsService.ts';
import { AuditLog } from './audit/auditLog.ts';
import { DebugService } from './debug/debugService.ts';
import { filesFactory } from './files/filesService.ts';
import { ClusterRegistry, type ClustersEmit } from './clusters/clusterRegistry.ts';
import { RecordingStore } from './recordings/recordingStore.ts';
import { RecordingsService, type RecordingsEmit } from './recordings/recordingsService.ts';
import { dataDir as defaultDataDir, SettingsStore } from './settings/settings.ts';
import { DEFAULT_GRACE_SECONDS, SessionHost } from './terminals/sessionHost.ts';
import { TerminalService } from './terminals/terminalService.ts';
import { ShareLinks, type ShareEmit } from './share/shareLinks.ts';
import { PortForwards } from './portforward/portForwards.ts';
import type { TerminalsEmit } from './terminals/terminalSession.ts';
import { TerminalSettingsService } from './settings/terminalSettings.ts';

/** Settings key: how long a session with no viewer runs on (seconds; 0 ends it when its last page goes). */
export const TERMINALS_GRACE_SECONDS = 'terminals.graceSeconds';

export type KubedeckEmit = <E extends KubedeckEventName>(name: E, payload: KubedeckEvents[E]) => void;

/** Per-client files service; `dispose` cancels what that client started, if the service wants to. */
export type FilesFactory = (deps: {
  registry: ClusterRegistry;
  audit: AuditLog;
  emit: KubedeckEmit;
  who: string;
  dataDir: string;
  settings: SettingsStore;
}) => FilesMethods & { dispose?(): void | Promise<void> };

export interface KubedeckOptions {
  /** Default: $KUBEDECK_DATA_DIR, else the platform's app-data folder + /kubedeck. */
  dataDir?: string;
  /** `--kubeconfig FILE`: replaces KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
  env?: NodeJS.ProcessEnv;
  /** Exec keepalive ping interval (ms). */
  keepAliveMs?: number;
  files?: FilesFactory;
  /** Serve mode: port-forward listeners are on the server (the page says so, and so do errors). */
  portForwardsOnServer?: boolean;
}

/** How a client connects: a share-link holder's connection is a guest (read-only in view mode). */
export interface ConnectOptions {
  /** Its terminal viewer may watch, not type, resize, open or close (a view-mode share link). */
  readOnly?: boolean;
  /** Not the owner: gets no cluster or share-link events (main/serve guards its calls). */
  guest?: boolean;
}

export interface KubedeckClient {
  readonly methods: KubedeckMethods;
  /** Calls a method by name; refuses names outside METHOD_NAMES and non-array arguments. */
  call(method: string, args: unknown): Promise<unknown>;
  /** Closes the client: it detaches from its terminals (they run on for the grace period), its subscriptions stop. */
  close(): Promise<void>;
  readonly closed: boolean;
}

const ALLOWED = new Set<string>(METHOD_NAMES);

export class Kubedeck {
  readonly dataDir: string;
  readonly settings: SettingsStore;
  readonly registry: ClusterRegistry;
  readonly audit: AuditLog;
  readonly recordings: RecordingStore;
  /** Every terminal session, whichever client opened it. */
  readonly terminals: SessionHost;
  /** Share links (main/core/share); the serve binding sets their base URL and guards their holders. */
  readonly share: ShareLinks;
  /** Every port-forward of this process (main/core/portforward), whichever client started it. */
  readonly portForwards: PortForwards;
  /** The terminal settings (main/core/settings/terminalSettings.ts); every owner client hears each change. */
  readonly terminalSettings: TerminalSettingsService;
  private readonly clients = new Set<KubedeckClient>();
  private shuttingDown?: Promise<void>;

  constructor(private readonly opts: KubedeckOptions = {}) {
    this.dataDir = opts.dataDir ?? defaultDataDir(opts.env ?? process.env);
    this.settings = SettingsStore.inDataDir(this.dataDir);
    this.terminalSettings = new TerminalSettingsService(this.settings);
    this.registry = new ClusterRegistry({ kubeconfig: opts.kubeconfig, env: opts.env, settings: this.settings });
    this.audit = new AuditLog(join(this.dataDir, 'audit.jsonl'));
    this.recordings = RecordingStore.inDataDir(this.dataDir);
    const registry = this.registry;
    this.terminals = new SessionHost({
      terminal: {
        kubeConfigFor: (c) => registry.kubeConfigFor(c),
        recordings: this.recordings,
        audit: this.audit,
        keepAliveMs: opts.keepAliveMs,
      },
      graceMs: () => graceSeconds(this.settings.get<unknown>(TERMINALS_GRACE_SECONDS, DEFAULT_GRACE_SECONDS)) * 1000,
    });
    this.portForwards = new PortForwards({ kubeConfigFor: (c) => registry.kubeConfigFor(c), audit: this.audit, onServer: opts.portForwardsOnServer === true });
    this.share = new ShareLinks({
      dataDir: this.dataDir,
      audit: this.audit,
      terminalRef: (id) => {
        const s = this.terminals.get(id);
        if (!s || s.isEnded) return undefined;
        const { context, namespace, pod, container } = s.info();
        return { context, namespace, pod, container };
      },
    });
  }

  /** Connects a client; `who` goes into the audit trail. */
  connect(emit: KubedeckEmit, who: string = safeUser(), opts: ConnectOptions = {}): KubedeckClient {
    if (this.shuttingDown) throw new Error('Kubedeck is shutting down');
    let closed = false;
    const guardedEmit: KubedeckEmit = (name, payload) => {
      if (closed) return;
      try {
        emit(name, payload);
      } catch {
        // A client that can't take an event (a closed socket) must not break the others.
      }
    };
    const registry = this.registry;
    const terminals = new TerminalService({ host: this.terminals, emit: guardedEmit as TerminalsEmit, who, audit: this.audit, readOnly: opts.readOnly });
    const recordings = new RecordingsService(this.recordings, this.audit, guardedEmit as RecordingsEmit, who);
    const files: FilesMethods & { dispose?(): void | Promise<void> } = (this.opts.files ?? filesFactory)({ registry, audit: this.audit, emit: guardedEmit, who, dataDir: this.dataDir, settings: this.settings });
    const portForwards = this.portForwards;
    const unsubscribes = opts.guest ? [] : [registry.onEvent(guardedEmit as ClustersEmit), this.share.onEvent(guardedEmit as ShareEmit),
      portForwards.onChanged((forwards) => guardedEmit('portForwards.changed', { forwards })),
      this.terminalSettings.onChanged((terminal) => guardedEmit('settings.changed', { terminal }))];
    const share = this.share;
    const debug = new DebugService({ kubeConfigFor: (c) => registry.kubeConfigFor(c), audit: this.audit, who, settings: this.settings });
    const logs = new LogsService({
      kubeConfigFor: (c) => registry.kubeConfigFor(c),
      listPods: (c, ns) => registry.listPods(c, ns),
      onPods: (listener) => registry.onEvent((name, payload) => {
        if (name === 'clusters.pods') { const p = payload as { context: string; namespace: string; pods: PodInfo[] }; listener(p.context, p.namespace, p.pods); }
      }),
      sendLines: (p) => guardedEmit('logs.lines', p),
      sendState: (s) => guardedEmit('logs.state', s),
    });

    const methods: KubedeckMethods = {
      listClusters: async () => registry.listClusters(),
      addKubeconfig: async (path) => {
        const r = registry.addKubeconfig(path);
        void this.audit.append('kubeconfig', who, { action: 'add', path }).catch(() => undefined);
        return r;
      },
      removeKubeconfig: async (path) => {
        const r = registry.removeKubeconfig(path);
        void this.audit.append('kubeconfig', who, { action: 'remove', path }).catch(() => undefined);
        return r;
      },
      listNamespaces: (context) => registry.listNamespaces(context),
      listPods: (context, namespace) => registry.listPods(context, namespace),
      reconnectCluster: (context) => registry.reconnectCluster(context),
      ...forward<TerminalsMethods>(terminals, TERMINALS_METHODS),
      ...forward<FilesMethods>(files, FILES_METHODS),
      ...forward<RecordingsMethods>(recordings, RECORDINGS_METHODS),
      ...forward<AuditMethods>(recordings, AUDIT_METHODS),
      ...forward<DebugMethods>(debug, DEBUG_METHODS),
      ...forward<LogsMethods>(logs, LOGS_METHODS),
      createShareLink: (req) => share.create(who, req),
      listShareLinks: async () => share.list(),
      revokeShareLink: (id) => share.revoke(id, who),
      // The owner's answer; a share-link holder's connection is answered by main/serve's guard.
      shareSession: async () => null,
      startPortForward: (req) => portForwards.start(who, req),
      listPortForwards: async () => portForwards.list(),
      stopPortForward: (id) => portForwards.stop(id, who),
      clearEndedPortForwards: async () => portForwards.clearEnded(),
      getTerminalSettings: async () => this.terminalSettings.get(),
      setTerminalSettings: async (change) => this.terminalSettings.set(change),
    };

    const client: KubedeckClient = {
      methods,
      get closed() {
        return closed;
      },
      call: async (method, args) => {
        if (closed) throw new Error('this client is closed');
        if (typeof method !== 'string' || !ALLOWED.has(method)) throw new Error(`unknown method ${JSON.stringify(method)}`);
        if (!Array.isArray(args)) throw new Error(`${method}: arguments must be a list`);
        const fn = methods[method as keyof KubedeckMethods] as (...a: unknown[]) => Promise<unknown>;
        return fn(...args);
      },
      close: async () => {
        if (closed) return;
        closed = true;
        this.clients.delete(client);
        for (const u of unsubscribes) u();
        recordings.dispose();
        logs.dispose();
        await Promise.allSettled([terminals.dispose(), Promise.resolve(files.dispose?.())]);
      },
    };
    this.clients.add(client);
    return client;
  }

  /** How many clients are connected. */
  get clientCount(): number {
    return this.clients.size;
  }

  /** Ends every terminal session (their remote shells killed), closes every client, stops watches and recordings. Idempotent. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      this.portForwards.shutdown();
      await Promise.allSettled([this.terminals.shutdown(), ...[...this.clients].map((c) => c.close())]);
      this.registry.close();
      this.recordings.closeAll();
      this.share.dispose();
    })();
    return this.shuttingDown;
  }
}

/** The contract methods of one domain, forwarded to the service that implements them (and nothing else of it). */
function forward<M extends object>(service: M, names: Record<keyof M, true>): M {
  const methods: Record<string, unknown> = {};
  for (const name of Object.keys(names)) {
    methods[name] = (...args: unknown[]) => (service[name as keyof M] as (...a: unknown[]) => unknown).apply(service, args);
  }
  return methods as M;
}

/** A grace period from settings: a number of seconds ≥ 0, else the default. */
export function graceSeconds(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : DEFAULT_GRACE_SECONDS;
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'local';
  }
}
