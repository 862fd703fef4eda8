/**
 * The tab model of the terminals view: tabs, their panes (a session each) laid out in a grid
 * (paneLayout.ts), titles, which tab is shown, which pane has the keyboard, which one is maximised, and
 * the tabs as plain data to save and restore across a reload. Plain code over a state object that the
 * caller makes reactive (terminals.svelte.ts passes a $state proxy), so the logic is tested without
 * compiling runes.
 */
import type { ContainerRef, TerminalState } from '../../../common/contract/index.ts';
import { insertBeside, leaf, leafKeys, moveDivider, neighbour, normalize, paneRects, removeLeaf, splitAt, successor, type FocusDirection, type PaneNode, type SplitDirection } from './paneLayout.ts';

export type { FocusDirection, PaneNode, SplitDirection } from './paneLayout.ts';

export interface Session {
  /** Stable for the pane's life; the session id may change when a lost session is opened afresh. */
  key: string;
  /** The main side's session id; empty until openTerminal answers. */
  id: string;
  ref: ContainerRef;
  command?: string[];
  state: TerminalState;
  recording: boolean;
  shell?: string;
  /**
   * Whether openTerminal was called (the pane starts it once it knows its size). A restored session has
   * its `id` and `started: false`: it is attached to rather than opened.
   */
  started: boolean;
  /** Whether any output arrived (a failed open leaves an empty terminal). */
  hadOutput?: boolean;
}

export interface Tab {
  key: string;
  /** A name the user gave; otherwise the title is context/namespace/pod (and /container, see below). */
  customTitle?: string;
  /** The pod has more than one container, so the title names the one this tab is in. */
  showContainer?: boolean;
  /** The tab's sessions in reading order of the layout (left to right, top to bottom). */
  panes: Session[];
  /** Index in `panes` of the pane with the keyboard. */
  activePane: number;
  /** How the panes are laid out; its leaves are the panes' keys. */
  layout: PaneNode;
  /** The key of the pane shown alone over the whole tab, if one is maximised. */
  maximized?: string;
  /** A log tab (kind "logs"): it has no panes and shows a log view of this instead (components/logs). */
  logs?: LogTabSpec;
  /**
   * Restored after a reload in the background: its panes are attached to their sessions (so the host
   * keeps them) but get no terminal, no screen and no output until the tab is first shown.
   */
  deferred?: boolean;
}

/** What a log tab follows: a container, every container of a pod, or (`workload`) every pod of the pod's workload. */
export interface LogTabSpec {
  context: string;
  namespace: string;
  pod: string;
  container?: string;
  workload?: { kind: string; name: string };
}

/** What the views read; reactive when the caller made it so. */
export interface TabsState {
  tabs: Tab[];
  activeKey: string | undefined;
  /** Bumped to ask the active pane to take keyboard focus. */
  focusSeq: number;
}

export function tabTitle(tab: Tab): string {
  const t = tabTitleParts(tab);
  return t.where + t.what;
}

/**
 * The title in two parts: `where` (context/namespace/) is what a narrow tab gives up first, `what`
 * (the pod, and its container when the pod has several) is what tells tabs apart, so it stays.
 */
export function tabTitleParts(tab: Tab): { where: string; what: string } {
  if (tab.customTitle) return { where: '', what: tab.customTitle };
  if (tab.logs) return logTitleParts(tab.logs);
  const r = tab.panes[0]?.ref;
  if (!r) return { where: '', what: 'terminal' };
  return { where: `${r.context}/${r.namespace}/`, what: tab.showContainer ? `${r.pod}/${r.container}` : r.pod };
}

function logTitleParts(l: LogTabSpec): { where: string; what: string } {
  const what = l.workload ? `${l.workload.kind.toLowerCase()}/${l.workload.name}` : l.container ? `${l.pod}/${l.container}` : l.pod;
  return { where: `${l.context}/${l.namespace}/`, what: `logs ${what}` };
}

const SEVERITY: Record<TerminalState['state'], number> = { connected: 0, connecting: 1, exited: 2, disconnected: 3, error: 4 };

/** The state a tab shows: its worst pane's. */
export function tabState(tab: Tab): TerminalState {
  if (tab.logs) return { state: 'connected' };
  let worst = tab.panes[0]?.state ?? { state: 'connecting' };
  for (const p of tab.panes) if (SEVERITY[p.state.state] > SEVERITY[worst.state]) worst = p.state;
  return worst;
}

/** A session that ended and stays so until the user reconnects it. */
export const isFinal = (s: TerminalState) => s.state === 'exited' || s.state === 'error' || s.state === 'disconnected';

/** The pane with the keyboard in a tab. */
export function focusedPane(tab: Tab): Session | undefined {
  return tab.panes[tab.activePane] ?? tab.panes[0];
}

export class TabList {
  private nextKey = 1;

  /** `ended` runs for every pane that goes away (its session must be closed on the main side). */
  constructor(
    private readonly state: TabsState,
    private readonly ended: (s: Session) => void,
  ) {}

  get tabs(): Tab[] {
    return this.state.tabs;
  }

  get activeKey(): string | undefined {
    return this.state.activeKey;
  }

  get focusSeq(): number {
    return this.state.focusSeq;
  }

  get active(): Tab | undefined {
    return this.tabs.find((t) => t.key === this.activeKey);
  }

  allSessions(): Session[] {
    return this.tabs.flatMap((t) => t.panes);
  }

  sessionByKey(key: string): Session | undefined {
    return this.allSessions().find((s) => s.key === key);
  }

  /** The tab a pane is in. */
  tabOf(sessionKey: string): Tab | undefined {
    return this.tabs.find((t) => t.panes.some((p) => p.key === sessionKey));
  }

  /** Asks the active pane to take the keyboard (after a rename, a closed menu…). */
  focusActive(): void {
    this.state.focusSeq++;
  }

  /**
   * Opens a terminal in a new, focused tab. The pane starts the session when it knows its size.
   * `showContainer`: the pod has several containers, so the title names this one.
   */
  open(ref: ContainerRef, command?: string[], showContainer?: boolean): Tab {
    const s = this.newSession(ref, command);
    this.tabs.push({ key: this.newKey('tab'), panes: [s], activePane: 0, layout: leaf(s.key), showContainer });
    const tab = this.tabs[this.tabs.length - 1];
    this.activate(tab.key);
    // The one in the list: with a reactive state, changes made through it are seen.
    return tab;
  }

  /** Opens a log tab (focused); a tab already showing the same logs is shown instead. */
  openLogs(spec: LogTabSpec): Tab {
    const same = this.tabs.find((t) => t.logs && JSON.stringify(t.logs) === JSON.stringify(spec));
    if (same) {
      this.activate(same.key);
      return same;
    }
    const key = this.newKey('tab');
    this.tabs.push({ key, panes: [], activePane: 0, layout: leaf(`${key}-logs`), logs: { ...spec } });
    this.activate(key);
    return this.tabs[this.tabs.length - 1];
  }

  private newSession(ref: ContainerRef, command?: string[]): Session {
    return { key: this.newKey('s'), id: '', ref: { ...ref }, command: command && [...command], state: { state: 'connecting' }, recording: false, started: false };
  }

  private newKey(prefix: string): string {
    return `${prefix}${this.nextKey++}`;
  }

  private tab(key: string): Tab | undefined {
    return this.tabs.find((t) => t.key === key);
  }

  /** A new tab with a fresh terminal into the same container (and command) as the given tab's. */
  duplicate(tabKey: string): void {
    const tab = this.tab(tabKey);
    const first = tab?.panes[0];
    if (first) this.open(first.ref, first.command, tab.showContainer);
  }

  closeOthers(tabKey: string): void {
    for (const t of this.tabs.filter((x) => x.key !== tabKey)) this.close(t.key);
    this.activate(tabKey);
  }

  /** Splits a tab's focused pane: a new terminal into the same container, to its right. */
  split(tabKey: string): void {
    this.splitPane(tabKey, 'row');
  }

  /**
   * A new pane beside the tab's focused one (`row`: to its right, `column`: below it), into `ref` (with
   * `command`), by default the focused pane's container and command. The new pane gets the keyboard.
   */
  splitPane(tabKey: string, direction: SplitDirection, ref?: ContainerRef, command?: string[]): Session | undefined {
    const tab = this.tab(tabKey);
    const target = tab && focusedPane(tab);
    if (!tab || !target) return undefined;
    const s = ref ? this.newSession(ref, command) : this.newSession(target.ref, target.command);
    tab.maximized = undefined;
    this.relayout(tab, insertBeside(tab.layout, target.key, s.key, direction), [...tab.panes, s], s.key);
    return this.sessionByKey(s.key);
  }

  /**
   * Any container (of any cluster) in a new pane of the shown tab, beside its focused pane; in a new tab
   * when none is shown.
   */
  openInSplit(ref: ContainerRef, direction: SplitDirection, command?: string[], showContainer?: boolean): Session | undefined {
    const tab = this.active;
    if (!tab) return this.open(ref, command, showContainer).panes[0];
    if (showContainer) tab.showContainer = true;
    const s = this.splitPane(tab.key, direction, ref, command);
    this.activate(tab.key);
    return s;
  }

  /** Closes one pane (the tab itself when it is the last pane); its neighbours take its place. */
  closePane(tabKey: string, paneKey: string): void {
    const tab = this.tab(tabKey);
    if (!tab) return;
    const s = tab.panes.find((p) => p.key === paneKey);
    if (!s) return;
    if (tab.panes.length <= 1) return this.close(tabKey);
    const layout = removeLeaf(tab.layout, paneKey);
    if (!layout) return this.close(tabKey);
    const wasFocused = focusedPane(tab)?.key === paneKey;
    // The keyboard goes to the pane that takes the closed one's place, as in editors' split views.
    const next = wasFocused ? successor(tab.layout, paneKey) : focusedPane(tab)?.key;
    if (tab.maximized === paneKey) tab.maximized = undefined;
    this.relayout(
      tab,
      layout,
      tab.panes.filter((p) => p.key !== paneKey),
      next,
    );
    this.ended(s);
    this.focusActive();
  }

  /** Gives a pane the keyboard within its tab (a click, a focus move). */
  focusPane(tabKey: string, paneKey: string): void {
    const tab = this.tab(tabKey);
    const i = tab?.panes.findIndex((p) => p.key === paneKey) ?? -1;
    if (!tab || i < 0) return;
    if (tab.activePane !== i) tab.activePane = i;
    // Moving the focus to a pane hidden behind a maximised one shows the grid again.
    if (tab.maximized && tab.maximized !== paneKey) tab.maximized = undefined;
  }

  /** Moves the keyboard to the pane next to the focused one in a direction; false when there is none. */
  moveFocus(tabKey: string, dir: FocusDirection): boolean {
    const tab = this.tab(tabKey);
    const from = tab && focusedPane(tab);
    if (!tab || !from || tab.maximized) return false;
    const to = neighbour(paneRects(tab.layout), from.key, dir);
    if (!to) return false;
    this.focusPane(tabKey, to);
    this.focusActive();
    return true;
  }

  /** Shows the focused pane alone over the whole tab, or the grid again. */
  toggleMaximize(tabKey: string): void {
    const tab = this.tab(tabKey);
    const s = tab && focusedPane(tab);
    if (!tab || !s) return;
    tab.maximized = tab.maximized ? undefined : tab.panes.length > 1 ? s.key : undefined;
    this.focusActive();
  }

  /** Moves the divider between child `index` and `index + 1` of the split at `path` by `delta` (a fraction of that split). */
  moveDivider(tabKey: string, path: number[], index: number, delta: number): void {
    const split = splitAt(this.tab(tabKey)?.layout ?? leaf(''), path);
    if (split) split.sizes = moveDivider(split.sizes, index, delta);
  }

  /** Sets the sizes of the split at `path` (what a drag started with, plus the pointer's way since). */
  setSizes(tabKey: string, path: number[], sizes: number[]): void {
    const split = splitAt(this.tab(tabKey)?.layout ?? leaf(''), path);
    if (split && sizes.length === split.children.length) split.sizes = normalize(sizes);
  }

  /** Closes a tab and its sessions; closing the shown tab shows the one that took its place (else the last). */
  close(tabKey: string): void {
    const i = this.tabs.findIndex((t) => t.key === tabKey);
    if (i < 0) return;
    const [tab] = this.tabs.splice(i, 1);
    for (const s of tab.panes) this.ended(s);
    if (this.activeKey === tabKey) this.activate(this.tabs[Math.min(i, this.tabs.length - 1)]?.key);
  }

  activate(tabKey: string | undefined): void {
    const tab = tabKey === undefined ? undefined : this.tab(tabKey);
    if (tab?.deferred) tab.deferred = false;
    this.state.activeKey = tabKey;
    this.focusActive();
  }

  /** Next (+1) or previous (-1) tab, wrapping. */
  cycle(step: number): void {
    if (!this.tabs.length) return;
    const i = this.tabs.findIndex((t) => t.key === this.activeKey);
    this.activate(this.tabs[(i + step + this.tabs.length) % this.tabs.length].key);
  }

  /** Moves a tab to another position (drag and drop, Ctrl+Shift+PgUp/PgDn). */
  move(tabKey: string, toIndex: number): void {
    const from = this.tabs.findIndex((t) => t.key === tabKey);
    if (from < 0) return;
    const [tab] = this.tabs.splice(from, 1);
    this.tabs.splice(Math.max(0, Math.min(toIndex, this.tabs.length)), 0, tab);
  }

  /** Moves a dragged tab to a drop slot: `slot` counts the gaps between tabs before the move (0 = first). */
  dropAt(tabKey: string, slot: number): void {
    const from = this.tabs.findIndex((t) => t.key === tabKey);
    this.move(tabKey, from < slot ? slot - 1 : slot);
  }

  rename(tabKey: string, title: string): void {
    const tab = this.tab(tabKey);
    if (tab) tab.customTitle = title.trim() || undefined;
  }

  /** The tabs as plain data to keep across a reload (see serializeLayout). */
  save(): SavedLayout {
    return serializeLayout(this.state);
  }

  /**
   * Adds the tabs of a saved layout (after those open now, whose keys stay) and shows its active tab.
   * Each restored pane has its session id and `started: false`, to be attached rather than opened; a pane
   * that never had a session (its open failed) is left out, and a tab of only such panes.
   * Throws on a malformed layout, changing nothing.
   */
  restoreTabs(saved: unknown): Tab[] {
    const restored = restoreLayout(saved, (prefix) => this.newKey(prefix));
    this.tabs.push(...restored.tabs);
    const added = this.tabs.slice(this.tabs.length - restored.tabs.length);
    // Only the tab shown gets its terminals now: 20 restored tabs would otherwise each create, measure and
    // draw an xterm before the first screen appears.
    for (const t of added) if (t.key !== restored.activeKey && !t.logs) t.deferred = true;
    if (restored.activeKey) this.activate(restored.activeKey);
    return added;
  }

  /** A tab's new layout: panes in the layout's reading order, the keyboard on `focusKey` (else where it was). */
  private relayout(tab: Tab, layout: PaneNode, sessions: Session[], focusKey?: string): void {
    const keep = focusKey ?? focusedPane(tab)?.key;
    const byKey = new Map(sessions.map((s) => [s.key, s]));
    tab.layout = layout;
    tab.panes = leafKeys(layout).flatMap((k) => byKey.get(k) ?? []);
    tab.activePane = Math.max(0, tab.panes.findIndex((p) => p.key === keep));
    this.focusActive();
  }
}

// Saving and restoring the tabs (the lead's code keeps them in sessionStorage across a reload).

export interface SavedSession {
  /** The main side's session id ('' for one that never opened: it is opened afresh). */
  id: string;
  ref: ContainerRef;
  command?: string[];
}

export type SavedNode = { pane: SavedSession } | { split: SplitDirection; sizes: number[]; children: SavedNode[] };

export interface SavedTab {
  title?: string;
  showContainer?: boolean;
  layout: SavedNode;
  /** Index (reading order) of the pane with the keyboard. */
  focused: number;
  /** Index (reading order) of the maximised pane, if one is. */
  maximized?: number;
}

/** A log tab: what it follows; its view opens the log again (following) when it mounts. */
export interface SavedLogTab {
  logs: LogTabSpec;
  title?: string;
}

/** The terminals view's tabs as plain JSON-able data; no keys, so restoring never clashes with tabs open now. */
export interface SavedLayout {
  version: 1;
  tabs: (SavedTab | SavedLogTab)[];
  /** Index of the shown tab; -1 for none. */
  active: number;
}

/** The tabs in order with their titles, layouts and sizes, focused and maximised panes, and the shown tab. */
export function serializeLayout(state: Pick<TabsState, 'tabs' | 'activeKey'>): SavedLayout {
  const kept = state.tabs;
  const tabs = kept.map((tab): SavedTab | SavedLogTab => {
    // A log session ends with its page; what it follows is enough to open it again.
    if (tab.logs) return { logs: structuredLogSpec(tab.logs), ...(tab.customTitle ? { title: tab.customTitle } : {}) };
    const byKey = new Map(tab.panes.map((s) => [s.key, s]));
    const order = leafKeys(tab.layout);
    const node = (n: PaneNode): SavedNode => {
      if (n.kind === 'split') return { split: n.direction, sizes: [...n.sizes], children: n.children.map(node) };
      const s = byKey.get(n.key);
      return { pane: { id: s?.id ?? '', ref: { ...(s?.ref ?? { context: '', namespace: '', pod: '', container: '' }) }, ...(s?.command ? { command: [...s.command] } : {}) } };
    };
    const focused = Math.max(0, order.indexOf(focusedPane(tab)?.key ?? ''));
    const saved: SavedTab = { layout: node(tab.layout), focused };
    if (tab.customTitle) saved.title = tab.customTitle;
    if (tab.showContainer) saved.showContainer = true;
    if (tab.maximized && order.includes(tab.maximized)) saved.maximized = order.indexOf(tab.maximized);
    return saved;
  });
  return { version: 1, tabs, active: kept.findIndex((t) => t.key === state.activeKey) };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';

/**
 * Tabs (and the shown tab's key) from a saved layout, with fresh keys from `newKey` (default: keys of
 * their own, `rtab1`, `rs2`…). Every session has its id, `started: false` and state `connecting`; panes
 * without a session id (never opened) are left out, their neighbours taking their place, and so are tabs
 * left with no pane.
 * Throws an Error saying what is wrong with a malformed layout.
 */
export function restoreLayout(saved: unknown, newKey?: (prefix: string) => string): { tabs: Tab[]; activeKey: string | undefined } {
  let n = 0;
  const key = newKey ?? ((prefix: string) => `r${prefix}${++n}`);
  const fail = (why: string): never => {
    throw new Error(`The saved terminal layout cannot be restored: ${why}.`);
  };
  if (!isObject(saved)) return fail('it is not an object');
  if (saved.version !== 1) return fail(`version ${JSON.stringify(saved.version)} is not 1`);
  if (!Array.isArray(saved.tabs)) return fail('it has no list of tabs');
  const tabs = saved.tabs.map((t: unknown, ti): Tab | undefined => {
    if (!isObject(t)) return fail(`tab ${ti + 1} is not an object`);
    if (t.logs !== undefined) {
      const logs = logSpecOf(t.logs) ?? fail(`log tab ${ti + 1} does not say what it follows`);
      const k = key('tab');
      return { key: k, panes: [], activePane: 0, layout: leaf(`${k}-logs`), logs, ...(isString(t.title) && t.title.trim() ? { customTitle: t.title } : {}) };
    }
    const sessions: Session[] = [];
    const node = (v: unknown, depth: number): PaneNode => {
      if (depth > 32) return fail(`tab ${ti + 1} is nested too deeply`);
      if (isObject(v) && isObject(v.pane)) {
        const p = v.pane;
        const r = p.ref;
        if (!isString(p.id) || !isObject(r) || ![r.context, r.namespace, r.pod, r.container].every(isString)) return fail(`a pane of tab ${ti + 1} has no session id or container`);
        if (p.command !== undefined && !(Array.isArray(p.command) && p.command.every(isString))) return fail(`a pane of tab ${ti + 1} has a command that is not a list of strings`);
        const s: Session = {
          key: key('s'),
          id: p.id,
          ref: { context: r.context as string, namespace: r.namespace as string, pod: r.pod as string, container: r.container as string },
          ...(p.command ? { command: [...(p.command as string[])] } : {}),
          state: { state: 'connecting' },
          recording: false,
          started: false,
        };
        sessions.push(s);
        return leaf(s.key);
      }
      if (isObject(v) && (v.split === 'row' || v.split === 'column') && Array.isArray(v.children) && Array.isArray(v.sizes)) {
        if (v.children.length < 2 || v.sizes.length !== v.children.length || !v.sizes.every((x) => typeof x === 'number')) return fail(`a split of tab ${ti + 1} has mismatched children and sizes`);
        return { kind: 'split', direction: v.split, children: v.children.map((c) => node(c, depth + 1)), sizes: normalize(v.sizes as number[]) };
      }
      return fail(`tab ${ti + 1} has a layout node that is neither a pane nor a split`);
    };
    let layout: PaneNode | undefined = node(t.layout, 0);
    const at = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 && v < sessions.length ? sessions[v].key : undefined);
    const focusKey = at(t.focused);
    const maxKey = at(t.maximized);
    for (const s of sessions.filter((x) => !x.id)) layout = layout && removeLeaf(layout, s.key);
    if (!layout) return undefined;
    const order = leafKeys(layout);
    const panes = order.flatMap((k) => sessions.find((s) => s.key === k) ?? []);
    const tab: Tab = { key: key('tab'), panes, activePane: Math.max(0, order.indexOf(focusKey ?? '')), layout };
    if (isString(t.title) && t.title.trim()) tab.customTitle = t.title;
    if (t.showContainer === true) tab.showContainer = true;
    if (maxKey && order.includes(maxKey) && panes.length > 1) tab.maximized = maxKey;
    return tab;
  });
  const active = typeof saved.active === 'number' ? tabs[saved.active] : undefined;
  const kept = tabs.filter((t): t is Tab => !!t);
  return { tabs: kept, activeKey: active?.key ?? kept[kept.length - 1]?.key };
}

/** A copy of a log tab's spec with only its own fields (a reactive proxy or stray fields are not saved). */
function structuredLogSpec(l: LogTabSpec): LogTabSpec {
  return {
    context: l.context,
    namespace: l.namespace,
    pod: l.pod,
    ...(l.container ? { container: l.container } : {}),
    ...(l.workload ? { workload: { kind: l.workload.kind, name: l.workload.name } } : {}),
  };
}

/** A saved log tab's spec, checked field by field; undefined when it is not one. */
function logSpecOf(v: unknown): LogTabSpec | undefined {
  if (!isObject(v) || ![v.context, v.namespace, v.pod].every(isString)) return undefined;
  if (v.container !== undefined && !isString(v.container)) return undefined;
  const w = v.workload;
  if (w !== undefined && !(isObject(w) && isString(w.kind) && isString(w.name))) return undefined;
  return structuredLogSpec(v as unknown as LogTabSpec);
}
