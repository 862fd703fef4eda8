/**
 * The terminals view's actions for the registry (actions.ts): tabs, panes, the terminal's text size, and what
 * can be opened from the shown terminal (its logs, a port-forward, a share link). Each runs what the view's
 * keys, buttons and menus run — the pane actions through the same runner as the pane's keys (appCommands.ts).
 * Registered by the view while it is mounted; the view's other actions (renaming a tab) by the tab bar.
 */
import type { Action } from './actions.ts';
import { focusedPane, type Tab } from './terminalTabs.ts';
import { terminals } from './terminals.svelte.ts';
import { shareLinks } from './share.svelte.ts';
import { portForwards } from './portForwards.svelte.ts';
import { tabTitle } from './terminalTabs.ts';
import { runPaneAction, zoomedFontSize } from '../components/terminals/appCommands.ts';
import { settings } from './settings.svelte.ts';
import type { PaneAction } from '../components/terminals/keymap.ts';

/** The shown tab when it is a terminal tab (not a log tab). */
const termTab = (): Tab | undefined => {
  const t = terminals.active;
  return t && !t.logs ? t : undefined;
};
const pane = () => {
  const t = termTab();
  return t && focusedPane(t);
};

const PANE_ACTIONS: { action: PaneAction; title: string }[] = [
  { action: 'splitRight', title: 'Split right: a new terminal beside this one' },
  { action: 'splitDown', title: 'Split down: a new terminal below this one' },
  { action: 'closePane', title: 'Close pane' },
  { action: 'maximize', title: 'Maximise pane (or show the grid again)' },
  { action: 'find', title: 'Find in terminal' },
  { action: 'copy', title: 'Copy the selection' },
  { action: 'paste', title: 'Paste' },
  { action: 'marker', title: 'Add a marker to the recording' },
  { action: 'browseFiles', title: "Open files at the shell's folder" },
];

/** `shown`: whether the terminals view is the one shown (its actions act on what the user sees). */
export function terminalActions(shown: () => boolean): Action[] {
  const moveBy = (by: 1 | -1) => {
    const key = terminals.activeKey;
    if (key) terminals.move(key, terminals.tabs.findIndex((t) => t.key === key) + by);
  };
  const several = () => shown() && terminals.tabs.length > 1;
  const zoom = (command: 'zoomIn' | 'zoomOut' | 'zoomReset') => () => void settings.adjust((s) => ({ fontSize: zoomedFontSize(s.fontSize, command) }));
  return [
    { id: 'tabs.new', title: 'New terminal tab (same container)', category: 'Tabs', enabled: () => !!termTab(), run: () => terminals.duplicate(termTab()!.key) },
    { id: 'tabs.close', title: 'Close tab', category: 'Tabs', enabled: () => shown() && !!terminals.active, run: () => terminals.close(terminals.activeKey!) },
    { id: 'tabs.closeOthers', title: 'Close other tabs', category: 'Tabs', enabled: several, run: () => terminals.closeOthers(terminals.activeKey!) },
    { id: 'tabs.next', title: 'Next tab', category: 'Tabs', shortcut: 'nextTab', enabled: several, run: () => terminals.cycle(1) },
    { id: 'tabs.previous', title: 'Previous tab', category: 'Tabs', shortcut: 'previousTab', enabled: several, run: () => terminals.cycle(-1) },
    { id: 'tabs.moveLeft', title: 'Move tab left', category: 'Tabs', shortcut: 'moveTabLeft', enabled: several, run: () => moveBy(-1) },
    { id: 'tabs.moveRight', title: 'Move tab right', category: 'Tabs', shortcut: 'moveTabRight', enabled: several, run: () => moveBy(1) },
    {
      id: 'tabs.broadcast',
      title: 'Broadcast typing: add this tab to the broadcast (or take it out)',
      category: 'Tabs',
      enabled: () => shown() && !!termTab(),
      run: () => terminals.broadcast.toggleTab(termTab()!.key),
    },
    {
      id: 'tabs.share',
      title: 'Share this terminal…',
      category: 'Tabs',
      enabled: () => shown() && !!pane()?.id,
      run: () => {
        const t = termTab()!;
        const p = focusedPane(t)!;
        shareLinks.open({ terminal: p.id, ref: { ...p.ref }, title: tabTitle(t) });
      },
    },
    ...PANE_ACTIONS.map(({ action, title }): Action => ({
      id: `panes.${action}`,
      title,
      category: 'Panes',
      shortcut: action,
      enabled: () => shown() && !!pane(),
      run: () => void runPaneAction(pane()!.key, action),
    })),
    {
      id: 'panes.focusNext',
      title: 'Move the keyboard to the next pane',
      category: 'Panes',
      shortcut: 'focusPane',
      enabled: () => shown() && (termTab()?.panes.length ?? 0) > 1,
      run: () => {
        const t = termTab()!;
        for (const dir of ['right', 'down', 'left', 'up'] as const) if (terminals.moveFocus(t.key, dir)) return;
      },
    },
    { id: 'terminal.zoomIn', title: 'Zoom in (larger terminal text)', category: 'Terminal', run: zoom('zoomIn') },
    { id: 'terminal.zoomOut', title: 'Zoom out (smaller terminal text)', category: 'Terminal', run: zoom('zoomOut') },
    { id: 'terminal.zoomReset', title: 'Actual size (terminal text)', category: 'Terminal', run: zoom('zoomReset') },
    {
      id: 'logs.container',
      title: "Logs of this terminal's container",
      category: 'Logs',
      enabled: () => shown() && !!pane(),
      run: () => {
        const { context, namespace, pod, container } = pane()!.ref;
        terminals.openLogs({ context, namespace, pod, container });
      },
    },
    {
      id: 'forwards.fromTerminal',
      title: "Port-forward this terminal's pod…",
      category: 'Clusters',
      enabled: () => shown() && !!pane(),
      run: () => {
        const { context, namespace, pod } = pane()!.ref;
        portForwards.openDialog({ target: { context, namespace, pod }, ports: [] });
      },
    },
  ];
}
