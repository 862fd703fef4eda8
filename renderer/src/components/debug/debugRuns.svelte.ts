/**
 * Debug containers as the page starts them: each start is a run with its progress (adding → waiting with
 * the container's reason → running), read from the pod watch while `startDebugContainer` is under way
 * (core answers only once the container runs, or with the reason it will not), then a terminal on it or
 * the Files view through it. DebugRuns.svelte shows the runs; the menus, the no-shell notice and the Files
 * view start them. The image is the `debug.image` setting (DebugSettings.svelte changes it).
 */
import type { ContainerRef, DebugContainerInfo, PodInfo } from '../../../../common/contract/index.ts';
import { api } from '../../lib/api.ts';
import { terminals } from '../../lib/terminals.svelte.ts';
import { debugTabTitle, pendingDebugContainer, sameRef } from './debugModel.ts';

export type DebugPurpose = 'terminal' | 'files';

export interface DebugRun {
  key: number;
  target: ContainerRef;
  purpose: DebugPurpose;
  image: string;
  /** adding: the patch is on its way; waiting: the pod shows the container, not running yet; done; failed. */
  phase: 'adding' | 'waiting' | 'done' | 'failed';
  /** The debug container's name, once the pod shows it. */
  name?: string;
  /** Its waiting reason while it starts (ContainerCreating, ErrImagePull…). */
  detail?: string;
  reused?: boolean;
  /** A tab already showed this debug container: it was brought forward instead of opening another. */
  shown?: boolean;
  error?: string;
}

/** How long a finished run's card stays (a failed one stays until dismissed). */
const DONE_CARD_MS = 8000;

class DebugRuns {
  runs = $state<DebugRun[]>([]);
  /** The `debug.image` setting as last read or saved. */
  image = $state<string | undefined>();
  /** The view whose settings dialog is open (each view has its own, since hidden views stay mounted). */
  settingsFor = $state<DebugPurpose | undefined>();
  private seq = 0;

  async loadImage(): Promise<string> {
    const s = await api.getDebugSettings();
    this.image = s.image;
    return s.image;
  }

  async saveImage(image: string): Promise<string> {
    const s = await api.setDebugSettings({ image });
    this.image = s.image;
    return s.image;
  }

  /** The run under way for this target, if one is. */
  busy(target: ContainerRef): DebugRun | undefined {
    return this.runs.find((r) => (r.phase === 'adding' || r.phase === 'waiting') && sameRef(r.target, target));
  }

  dismiss(key: number): void {
    this.runs = this.runs.filter((r) => r.key !== key);
  }

  /**
   * Adds (or reuses) a debug container for `target` and resolves with it once it runs; undefined when it
   * failed (the run's card says why) or one is already starting for this target.
   */
  async start(target: ContainerRef, purpose: DebugPurpose): Promise<DebugContainerInfo | undefined> {
    if (this.busy(target)) return undefined;
    const ref = { ...target };
    const key = ++this.seq;
    this.runs = [...this.runs.filter((r) => !(sameRef(r.target, ref) && r.phase !== 'done')), { key, target: ref, purpose, image: this.image ?? '', phase: 'adding' }];
    const run = () => this.runs.find((r) => r.key === key);
    let off: (() => void) | undefined;
    try {
      const image = await this.loadImage();
      const r0 = run();
      if (r0) r0.image = image;
      // The pods of the namespace as they are now (this also starts their watch), so the container being
      // added is told apart from older ones, then its progress from the watch.
      const pods = await api.listPods(ref.context, ref.namespace).catch(() => [] as PodInfo[]);
      const before = new Set((pods.find((p) => p.name === ref.pod)?.ephemeralContainers ?? []).map((c) => c.name));
      off = api.on('clusters.pods', (ev) => {
        const r = run();
        if (!r || r.phase !== 'adding' && r.phase !== 'waiting' || ev.context !== ref.context || ev.namespace !== ref.namespace) return;
        const c = pendingDebugContainer(ev.pods.find((p) => p.name === ref.pod), ref.container, image, before);
        if (!c) return;
        r.name = c.name;
        r.phase = 'waiting';
        r.detail = c.state === 'running' ? 'running' : c.reason ?? c.state;
      });
      const info = await api.startDebugContainer({ target: ref, image });
      const r = run();
      if (r) Object.assign(r, { phase: 'done', name: info.ref.container, reused: info.reused, detail: 'running' });
      setTimeout(() => this.dismiss(key), DONE_CARD_MS);
      return info;
    } catch (e) {
      const r = run();
      if (r) Object.assign(r, { phase: 'failed', error: e instanceof Error ? e.message : String(e) });
      return undefined;
    } finally {
      off?.();
    }
  }

  /**
   * "Debug with an ephemeral container": a terminal in the debug container, in a tab titled for its target
   * (or the tab that already shows it). Resolves with that tab's key; undefined when it did not start.
   */
  async openTerminal(target: ContainerRef): Promise<string | undefined> {
    const info = await this.start(target, 'terminal');
    if (!info) return undefined;
    const shown = terminals.tabs.find((t) => t.panes.some((p) => sameRef(p.ref, info.ref) && p.state.state === 'connected'));
    const r = this.runs.findLast((x) => sameRef(x.target, target) && x.phase === 'done');
    if (shown) {
      if (r) r.shown = true;
      terminals.activate(shown.key);
      return shown.key;
    }
    const tab = terminals.open(info.ref);
    terminals.rename(tab.key, debugTabTitle(target));
    return tab.key;
  }
}

export const debugRuns = new DebugRuns();
