/**
 * The port-forwards as the Forwards view and the Port-forward… dialog show them: the server's list, kept live by
 * its `portForwards.changed` events (counters included), and the dialog's target while it is open.
 */
import type { ContainerInfo, PortForwardInfo, PortForwardTarget, StartPortForwardRequest } from '../../../common/contract/index.ts';
import { api } from './api.ts';

/** What the dialog forwards to: a pod (or one of its containers) and the ports its spec declares. */
export interface PortForwardDialogTarget {
  target: PortForwardTarget;
  /** Declared ports of the pod's containers (or of the one container), with the container that declares each. */
  ports: { containerPort: number; name?: string; container: string }[];
}

/** Declared TCP ports of a pod's containers, or of one of them. */
export function declaredPorts(containers: ContainerInfo[], only?: string): PortForwardDialogTarget['ports'] {
  return containers
    .filter((c) => !only || c.name === only)
    .flatMap((c) => (c.ports ?? []).filter((p) => !p.protocol || p.protocol === 'TCP').map((p) => ({ containerPort: p.containerPort, ...(p.name ? { name: p.name } : {}), container: c.name })));
}

class PortForwardsStore {
  list = $state<PortForwardInfo[]>([]);
  dialog = $state<PortForwardDialogTarget | undefined>();
  /** Bumped when a forward was started: the shell shows the Forwards view. */
  shown = $state(0);
  private started = false;

  ensure(): void {
    if (this.started) return;
    this.started = true;
    api.on('portForwards.changed', ({ forwards }) => (this.list = forwards));
    void this.refresh();
  }

  async refresh(): Promise<void> {
    try {
      this.list = await api.listPortForwards();
    } catch {
      // Not reachable now (a reconnecting socket): the next event refreshes.
    }
  }

  get active(): PortForwardInfo[] {
    return this.list.filter((f) => f.state === 'active');
  }

  openDialog(t: PortForwardDialogTarget): void {
    this.ensure();
    this.dialog = t;
  }

  closeDialog(): void {
    this.dialog = undefined;
  }

  async start(req: StartPortForwardRequest): Promise<PortForwardInfo> {
    const f = await api.startPortForward(req);
    await this.refresh();
    this.shown++;
    return f;
  }

  async stop(id: string): Promise<void> {
    await api.stopPortForward(id);
  }

  async clearEnded(): Promise<void> {
    await api.clearEndedPortForwards();
  }
}

export const portForwards = new PortForwardsStore();
