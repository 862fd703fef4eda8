/**
 * Broadcast typing: keys typed in any receiving terminal go to all of them. The user picks tabs (all the
 * panes of a tab, or several tabs across clusters) and may exclude single panes; a session that ends drops
 * out. The main side is told the receiving session ids (`setBroadcast`, audited there) whenever the set
 * changes, and keys typed in a receiving terminal go out once as `writeBroadcast`; keys typed anywhere else
 * go to that terminal alone. A paste that would reach several terminals waits for one confirmation.
 * Plain code over a state object the caller makes reactive; the calls are passed in, so it is tested
 * with fakes.
 */
import type { KubedeckMethods } from '../../../common/contract/index.ts';
import { isFinal, type Session, type Tab } from './terminalTabs.ts';

export interface PasteQuestion {
  /** "Paste 3 lines into 4 terminals?" */
  question: string;
  text: string;
  lines: number;
  terminals: number;
  answer(ok: boolean): void;
}

export interface BroadcastState {
  /** Keys of the tabs whose panes receive. */
  tabs: string[];
  /** Keys of panes of those tabs that do not (excluded by the user, or ended). */
  excluded: string[];
  /** A paste waiting for its confirmation. */
  paste?: PasteQuestion;
}

export interface BroadcastDeps {
  api: Pick<KubedeckMethods, 'setBroadcast' | 'writeBroadcast'>;
  tabs(): Tab[];
}

const ignore = () => {};

/** How many lines a paste has: a final line break does not start another. */
export function lineCount(text: string): number {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines.length;
}

/** "Paste 3 lines into 4 terminals?", or into one terminal by its name: "Paste 3 lines into shell@kd-test-1?". */
export function pasteQuestion(text: string, terminals: number, target?: string): string {
  const n = lineCount(text);
  return `Paste ${n} ${n === 1 ? 'line' : 'lines'} into ${terminals === 1 && target ? target : `${terminals} terminals`}?`;
}

export class Broadcast {
  /** The ids last sent with setBroadcast, joined, so an unchanged set is not sent again. */
  private sent = '';

  constructor(
    private readonly state: BroadcastState,
    private readonly deps: BroadcastDeps,
  ) {}

  get tabKeys(): readonly string[] {
    return this.state.tabs;
  }

  get pendingPaste(): PasteQuestion | undefined {
    return this.state.paste;
  }

  /** The terminals that receive now, in tab and reading order. */
  receivers(): Session[] {
    const on = new Set(this.state.tabs);
    const out = new Set(this.state.excluded);
    return this.deps
      .tabs()
      .filter((t) => on.has(t.key))
      .flatMap((t) => t.panes)
      .filter((s) => !out.has(s.key) && !isFinal(s.state));
  }

  /** Whether broadcasting is on (some terminal receives). */
  get on(): boolean {
    return this.receivers().length > 0;
  }

  /** Whether a tab takes part (its panes receive, but for those excluded). */
  includes(tabKey: string): boolean {
    return this.state.tabs.includes(tabKey);
  }

  /** Whether keys typed in this pane go to every receiving terminal. */
  receiving(s: Session): boolean {
    return this.receivers().some((r) => r.key === s.key);
  }

  /** Whether this pane is in a broadcast tab but left out (by the user, or because it ended). */
  excluded(s: Session): boolean {
    return this.state.excluded.includes(s.key) && this.deps.tabs().some((t) => this.includes(t.key) && t.panes.some((p) => p.key === s.key));
  }

  /** Takes a tab in (all its panes, those excluded before included again) or out. */
  setTab(tabKey: string, on: boolean): void {
    const tab = this.deps.tabs().find((t) => t.key === tabKey);
    if (!tab) return;
    if (on && !this.includes(tabKey)) this.state.tabs.push(tabKey);
    if (!on) this.state.tabs = this.state.tabs.filter((k) => k !== tabKey);
    const keys = new Set(tab.panes.map((p) => p.key));
    this.state.excluded = this.state.excluded.filter((k) => !keys.has(k));
    this.sync();
  }

  toggleTab(tabKey: string): void {
    this.setTab(tabKey, !this.includes(tabKey));
  }

  /** One pane out of the broadcast (or back in): the header's one-click button. */
  setExcluded(s: Session, excluded: boolean): void {
    if (excluded && !this.state.excluded.includes(s.key)) this.state.excluded.push(s.key);
    if (!excluded) this.state.excluded = this.state.excluded.filter((k) => k !== s.key);
    this.sync();
  }

  /** Ends the broadcast. */
  stop(): void {
    this.state.tabs = [];
    this.state.excluded = [];
    this.sync();
  }

  /**
   * Brings the set up to date: panes that ended drop out, tabs that closed or have nobody left receiving
   * leave it, and the main side learns the ids when they changed. Run on every change of the tabs.
   */
  sync(): void {
    const tabs = this.deps.tabs();
    const byKey = new Map(tabs.map((t) => [t.key, t]));
    const ended = tabs.filter((t) => this.includes(t.key)).flatMap((t) => t.panes.filter((p) => isFinal(p.state) && !this.state.excluded.includes(p.key)));
    if (ended.length) this.state.excluded.push(...ended.map((p) => p.key));
    const live = new Set(tabs.flatMap((t) => t.panes.map((p) => p.key)));
    if (this.state.excluded.some((k) => !live.has(k))) this.state.excluded = this.state.excluded.filter((k) => live.has(k));
    const out = new Set(this.state.excluded);
    const keep = this.state.tabs.filter((k) => byKey.get(k)?.panes.some((p) => !out.has(p.key)));
    if (keep.length !== this.state.tabs.length) this.state.tabs = keep;
    if (!keep.length && this.state.excluded.length) this.state.excluded = [];
    const ids = this.receivers()
      .map((s) => s.id)
      .filter(Boolean);
    const joined = ids.join('\n');
    if (joined === this.sent) return;
    this.sent = joined;
    void this.deps.api.setBroadcast(ids).catch(ignore);
  }

  /**
   * Keys typed (or a confirmed paste) in pane `s`: true when they went to every receiving terminal, false
   * when `s` does not receive and the caller writes to it alone.
   */
  input(s: Session, data: string): boolean {
    if (!s.id || !this.receiving(s)) return false;
    // The main side must have the current set before these keys (the same socket keeps the order).
    this.sync();
    void this.deps.api.writeBroadcast(data).catch(ignore);
    return true;
  }

  /**
   * Whether a paste into `s` may go ahead: at once when it reaches only `s`, otherwise after the user
   * answered the one question ("Paste 3 lines into 4 terminals?"). A paste into `s` alone asks too when
   * `single.ask` (a multi-line paste, settingsTerminal.ts: "Paste 3 lines into shell@kd-test-1?"). A second
   * paste while one waits is refused.
   */
  confirmPaste(s: Session, text: string, single?: { ask: boolean; target: string }): Promise<boolean> {
    const n = this.receiving(s) ? this.receivers().length : 1;
    if (n <= 1 && !single?.ask) return Promise.resolve(true);
    if (this.state.paste) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.state.paste = {
        question: n > 1 || !single ? pasteQuestion(text, n) : pasteQuestion(text, 1, single.target),
        text,
        lines: lineCount(text),
        terminals: n,
        answer: (ok) => {
          this.state.paste = undefined;
          resolve(ok);
        },
      };
    });
  }
}
