/**
 * The tab model of the terminals view: tabs, their one or two panes (a session each), titles, which tab is
 * shown and which pane has the keyboard. Plain code over a state object that the caller makes reactive
 * (terminals.svelte.ts passes a $state proxy), so the logic is tested without compiling runes.
 */
import type { ContainerRef, TerminalState } from '../../../common/contract/index.ts';

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
  /** Whether openTerminal was called (the pane starts it once it knows its size). */
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
  panes: Session[];
  activePane: number;
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
  const r = tab.panes[0]?.ref;
  if (!r) return { where: '', what: 'terminal' };
  return { where: `${r.context}/${r.namespace}/`, what: tab.showContainer ? `${r.pod}/${r.container}` : r.pod };
}

const SEVERITY: Record<TerminalState['state'], number> = { connected: 0, connecting: 1, exited: 2, disconnected: 3, error: 4 };

/** The state a tab shows: its worst pane's. */
export function tabState(tab: Tab): TerminalState {
  let worst = tab.panes[0]?.state ?? { state: 'connecting' };
  for (const p of tab.panes) if (SEVERITY[p.state.state] > SEVERITY[worst.state]) worst = p.state;
  return worst;
}

/** A session that ended and stays so until the user reconnects it. */
export const isFinal = (s: TerminalState) => s.state === 'exited' || s.state === 'error' || s.state === 'disconnected';

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

  /** Asks the active pane to take the keyboard (after a rename, a closed menu…). */
  focusActive(): void {
    this.state.focusSeq++;
  }

  /**
   * Opens a terminal in a new, focused tab. The pane starts the session when it knows its size.
   * `showContainer`: the pod has several containers, so the title names this one.
   */
  open(ref: ContainerRef, command?: string[], showContainer?: boolean): Tab {
    this.tabs.push({ key: this.newKey('tab'), panes: [this.newSession(ref, command)], activePane: 0, showContainer });
    const tab = this.tabs[this.tabs.length - 1];
    this.activate(tab.key);
    // The one in the list: with a reactive state, changes made through it are seen.
    return tab;
  }

  private newSession(ref: ContainerRef, command?: string[]): Session {
    return { key: this.newKey('s'), id: '', ref: { ...ref }, command, state: { state: 'connecting' }, recording: false, started: false };
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

  /** Splits a tab: a second terminal into the same container, beside the first. */
  split(tabKey: string): void {
    const tab = this.tab(tabKey);
    if (!tab || tab.panes.length >= 2) return;
    const first = tab.panes[0];
    tab.panes.push(this.newSession(first.ref, first.command));
    tab.activePane = 1;
    this.focusActive();
  }

  /** Closes one pane of a split tab (the tab itself when it is the last pane). */
  closePane(tabKey: string, paneKey: string): void {
    const tab = this.tab(tabKey);
    if (!tab) return;
    if (tab.panes.length <= 1) return this.close(tabKey);
    const s = tab.panes.find((p) => p.key === paneKey);
    tab.panes = tab.panes.filter((p) => p.key !== paneKey);
    tab.activePane = 0;
    if (s) this.ended(s);
    this.focusActive();
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
}
