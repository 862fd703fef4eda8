/**
 * The terminal UI as the terminal e2e files drive it: pod rows in the tree, tabs, panes, typing a
 * command. Shared by terminals.e2e.ts, clusterTree.e2e.ts and terminalReconnect.e2e.ts so each
 * does what a user does the same way. The page is passed as a getter: the files open it in before().
 */
import type { Locator, Page } from 'playwright-core';
import { startE2E, waitFor, type E2E } from './helpers.ts';

export type PodTab = { key: string; pane: Locator };

export function terminalTabs(currentPage: () => Page) {
  const podRow = (context: string, namespace: string, pod: string) =>
    currentPage().locator(`[data-testid=pod-row][data-context="${context}"][data-namespace="${namespace}"][data-pod="${pod}"]`);
  const tabs = () => currentPage().getByTestId('tab');
  const paneOfTab = (tabKey: string) => currentPage().locator(`[data-testid=tab-body][data-tab-key="${tabKey}"] [data-testid=terminal-pane]`);

  /** Double-clicks a pod in the tree; returns the new tab's key and its (first) terminal pane. */
  async function openPod(context: string, namespace: string, pod: string): Promise<PodTab> {
    const before = await tabs().count();
    await podRow(context, namespace, pod).dblclick();
    await waitFor('a new tab', async () => (await tabs().count()) === before + 1);
    const key = (await tabs().nth(before).getAttribute('data-tab-key'))!;
    return { key, pane: paneOfTab(key).first() };
  }

  async function waitState(pane: Locator, state: string, timeoutMs = 20_000): Promise<void> {
    await waitFor(`pane state ${state}`, async () => (await pane.getAttribute('data-state')) === state, timeoutMs).catch(async (err: Error) => {
      const status = await pane.getByTestId('pane-status').textContent().catch(() => '');
      throw new Error(`${err.message} (it is ${await pane.getAttribute('data-state')}: ${status})`);
    });
  }

  /** Types a command into a pane (clicking it first so it has the keyboard). */
  async function run(pane: Locator, command: string): Promise<void> {
    await pane.locator('.xterm-host').click();
    await currentPage().keyboard.type(command);
    await currentPage().keyboard.press('Enter');
  }

  /** Closes a tab with its ✕ (shown on hover, as for a user). */
  async function closeTab(key: string): Promise<void> {
    const tab = currentPage().locator(`[data-testid=tab][data-tab-key="${key}"]`);
    await tab.hover();
    await tab.getByTestId('tab-close').click();
    await tab.waitFor({ state: 'detached' });
  }

  async function activateTab(key: string): Promise<void> {
    await currentPage().locator(`[data-testid=tab][data-tab-key="${key}"]`).click();
  }

  return { podRow, tabs, paneOfTab, openPod, waitState, run, closeTab, activateTab };
}

/** Serve mode over two test clusters with the page open, once both clusters' pods are in the tree. */
export async function startWithTree(): Promise<E2E> {
  const e2e = await startE2E({ clusters: 2 });
  try {
    const { podRow } = terminalTabs(() => e2e.page);
    for (const ctx of ['kd-test-1', 'kd-test-2']) await podRow(ctx, 'default', 'shell').waitFor();
    return e2e;
  } catch (err) {
    await e2e.stop();
    throw err;
  }
}

/** Ends an e2e file: its last screen saved when KUBEDECK_E2E_SHOTS names a folder, then everything stopped. */
export async function endE2E(e2e: E2E | undefined, shot: string): Promise<void> {
  if (process.env.KUBEDECK_E2E_SHOTS && e2e) await e2e.page.screenshot({ path: `${process.env.KUBEDECK_E2E_SHOTS}/${shot}.png` }).catch(() => undefined);
  await e2e?.stop();
}
