/**
 * Kubedeck's core in this process: the same classes the Electron main process and serve mode run,
 * bound to the benchmark as a TermClient (it acknowledges output as soon as it arrives).
 */
import { EventEmitter } from 'node:events';
import type { KubeConfig } from '@kubernetes/client-node';
import { ClusterRegistry } from '../../main/core/clusters/clusterRegistry.ts';
import { TerminalService } from '../../main/core/terminals/terminalService.ts';
import { openExec } from '../../main/core/kube/execStream.ts';
import { Kubedeck } from '../../main/core/kubedeck.ts';
import type { TermClient, Where } from './terminalProbe.ts';
import type { TerminalState, TerminalsMethods } from '../../common/contract/terminals.ts';

export interface CoreClient extends TermClient {
  /** What this client is built from, for the report. */
  readonly describe: string;
  dispose(): Promise<void>;
}

/** A benchmark client over whatever implements the terminal methods and emits the contract's events. */
function clientOver(
  describe: string,
  m: Pick<TerminalsMethods, 'openTerminal' | 'writeTerminal' | 'ackTerminal' | 'closeTerminal'>,
  events: EventEmitter,
  dispose: () => Promise<void>,
): CoreClient {
  return {
    describe,
    openTerminal: (req) => m.openTerminal(req),
    writeTerminal: (id, data) => m.writeTerminal(id, data),
    ackTerminal: (id, n) => m.ackTerminal(id, n),
    closeTerminal: (id) => m.closeTerminal(id),
    onData(cb) {
      const l = (p: { id: string; data: Uint8Array }) => cb(p.id, p.data);
      events.on('terminal.data', l);
      return () => events.off('terminal.data', l);
    },
    onState(cb) {
      const l = (p: { id: string; state: TerminalState }) => cb(p.id, p.state);
      events.on('terminal.state', l);
      return () => events.off('terminal.state', l);
    },
    dispose,
  };
}

/**
 * The terminals domain as a client of the composition root gets it: main/core/kubedeck.ts
 * (recordings and audit included, as users run it); should that fail to start, TerminalService over
 * a ClusterRegistry (the terminal path alone).
 */
export async function createCoreClient(kubeconfig: string, dataDir: string): Promise<CoreClient> {
  const viaRoot = await fromCompositionRoot(kubeconfig, dataDir).catch(() => undefined);
  return viaRoot ?? createTerminalOnlyClient(kubeconfig);
}

/** TerminalService over a ClusterRegistry, without recordings or audit: the terminal path alone. */
export async function createTerminalOnlyClient(kubeconfig: string): Promise<CoreClient> {
  const registry = new ClusterRegistry({ kubeconfig });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const service = TerminalService.withOwnHost({
    kubeConfigFor: (ctx) => registry.kubeConfigFor(ctx),
    emit: (name, payload) => events.emit(name, payload),
  });
  return clientOver('TerminalService alone (no recording)', service, events, async () => {
    await service.dispose();
    registry.close();
  });
}

/** main/core/kubedeck.ts: one client of the composition root, as an Electron window or a serve socket gets it. */
async function fromCompositionRoot(kubeconfig: string, dataDir: string): Promise<CoreClient | undefined> {
  const kubedeck = new Kubedeck({ kubeconfig, dataDir });
  const events = new EventEmitter();
  events.setMaxListeners(0);
  const client = kubedeck.connect((name, payload) => events.emit(name, payload), 'bench');
  return clientOver('Kubedeck client (main/core/kubedeck.ts, recording on)', client.methods, events, async () => {
    await client.close();
    await kubedeck.shutdown();
  });
}

/**
 * The bare exec stream (main/core/kube/execStream.ts) with nothing above it: no marker scan, no events, no
 * flow control. The limit of the test cluster plus Node's WebSocket for a tty exec.
 */
export async function bareExecThroughput(kc: KubeConfig, where: Where, command: string[]): Promise<{ bytes: number; seconds: number }> {
  const t0 = performance.now();
  const exec = await openExec(kc, { ...where }, { command, tty: true, stdin: true, size: { cols: 120, rows: 40 }, keepAliveMs: 0 });
  let bytes = 0;
  exec.onData((_ch, b) => (bytes += b.length));
  const res = await exec.done;
  if (res.exitCode !== 0) throw new Error(`bare exec ended with ${res.exitCode}: ${res.error ?? ''}`);
  return { bytes, seconds: (performance.now() - t0) / 1000 };
}
