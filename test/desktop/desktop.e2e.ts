// The built desktop app (dist/main/app.cjs + dist/preload/preload.cjs) under the Electron stand-in, against
// two test clusters: what a user of the desktop app sees, and that no window event leaves a shell in a pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { METHOD_NAMES, type KubedeckEventName } from '../../common/contract/index.ts';
import { LOG_PODS, startTestClusters, type TestClusters } from '../cluster/index.ts';
import { CHROMIUM_ARGS } from '../e2e/helpers.ts';
import { until } from '../util/wait.ts';
import { launchDesktopApp, type DesktopApp } from './harness.ts';
import type { StandInDisplay } from './electronStandIn.ts';

let browser: Browser;
let tc: TestClusters;
let dir: string;
let env: Record<string, string>;
const running: DesktopApp[] = [];

const chromiumPath = () => execFileSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' }).trim().split('\n')[0];

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kd-desktop-'));
  tc = await startTestClusters({ clusters: 2, kubeconfigPath: join(dir, 'kubeconfig') });
  // A login shell whose PATH has a credential plugin the app's own PATH lacks (issue 14, part 2).
  const bin = join(dir, 'login-bin');
  await mkdir(bin);
  const c1 = tc.clusters[0];
  const credential = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: c1.token } });
  await writeFile(join(bin, 'kd-desk-auth-plugin'), `#!/bin/sh\necho '${credential}'\n`, { mode: 0o755 });
  const shell = join(dir, 'login-shell');
  // Called as `login-shell -i -l -c COMMAND`, like the user's shell: its "rc file" puts bin first on PATH.
  await writeFile(shell, `#!/bin/sh\nPATH="${bin}:$PATH"; export PATH\nshift 3\nexec /bin/sh -c "$1"\n`);
  await chmod(shell, 0o755);
  await writeFile(join(dir, 'plugin.yaml'), [
    'apiVersion: v1', 'kind: Config',
    'clusters:', '- name: sso-cluster', `  cluster: {server: "${c1.server}", certificate-authority-data: "${c1.caData}"}`,
    'users:', '- name: sso', '  user:', '    exec:', '      apiVersion: client.authentication.k8s.io/v1',
    '      command: kd-desk-auth-plugin', '      interactiveMode: Never',
    'contexts:', '- name: via-login-path', '  context: {cluster: sso-cluster, user: sso, namespace: default}',
  ].join('\n') + '\n');
  const data = join(dir, 'data');
  await mkdir(data);
  // After issue 10 a closed or reloaded window detaches for a grace period; 0 ends its sessions at once.
  await writeFile(join(data, 'settings.json'), JSON.stringify({ 'terminals.graceSeconds': 0 }));
  env = { KUBECONFIG: `${tc.kubeconfigPath}:${join(dir, 'plugin.yaml')}`, KUBEDECK_DATA_DIR: data, SHELL: shell, PATH: '/usr/bin:/bin' };
  browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
});

after(async () => {
  for (const a of running.splice(0)) await a.stop();
  await browser?.close();
  await tc?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function launch(argv: string[] = [], locks?: DesktopApp['locks'], more: Partial<Parameters<typeof launchDesktopApp>[0]> = {}): Promise<DesktopApp> {
  const app = await launchDesktopApp({ browser, appData: join(dir, 'appData'), env, argv, locks, ...more });
  running.push(app);
  return app;
}

async function stopAll(): Promise<void> {
  for (const a of running.splice(0)) await a.stop();
}

const podRow = (page: Page, context: string, pod: string) => page.locator(`[data-testid=pod-row][data-context="${context}"][data-namespace="default"][data-pod="${pod}"]`);

/** Shells (and whatever they started) in default/shell/main of kd-test-1 that were not there before. */
async function newProcesses(baseline: Set<number>): Promise<string[]> {
  return (await tc.clusters[0].processes('default', 'shell', 'main')).filter((p) => !baseline.has(p.pid)).map((p) => `${p.pid} ${p.command}`);
}
async function baseline(): Promise<Set<number>> {
  return new Set((await tc.clusters[0].processes('default', 'shell', 'main')).map((p) => p.pid));
}

/** A terminal pane that reached `connected`, and a new shell behind it in the pod. */
async function waitForShell(page: Page, before: Set<number>): Promise<void> {
  const pane = page.getByTestId('terminal-pane').first();
  await until('the terminal connects', async () => (await pane.getAttribute('data-state').catch(() => null)) === 'connected', 30_000);
  await until('a shell in the pod', async () => (await newProcesses(before)).some((p) => /bash|sh\b/.test(p)), 30_000);
}

async function noShellLeft(before: Set<number>, what: string): Promise<void> {
  let left: string[] = [];
  await until(`no shell left after ${what}`, async () => (left = await newProcesses(before)).length === 0, 30_000).catch(() => undefined);
  assert.deepEqual(left, [], `processes left in the pod after ${what}`);
}

describe('the desktop app under the Electron stand-in', () => {
  test('the UI comes up from kubedeck://app with the app\'s CSP, sandboxed, with the contract through the preload', async () => {
    const app = await launch();
    const win = await app.window(0);
    const { page } = win;
    await podRow(page, 'kd-test-1', 'shell').waitFor({ timeout: 30_000 });
    assert.equal(win.webContents.getURL(), 'kubedeck://app/index.html');
    const prefs = win.options.webPreferences as Record<string, unknown>;
    assert.deepEqual([prefs.contextIsolation, prefs.sandbox, prefs.nodeIntegration], [true, true, false]);
    // The CSP the protocol handler sent is in force: an inline script neither runs nor goes unreported.
    const csp = await page.evaluate(async () => {
      const violations: string[] = [];
      document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
      const s = document.createElement('script');
      s.textContent = 'window.__inlineRan = true';
      document.head.append(s);
      await new Promise((r) => setTimeout(r, 0));
      const header = (await fetch(location.href)).headers.get('content-security-policy');
      return { ran: (window as unknown as { __inlineRan?: boolean }).__inlineRan === true, violations, header };
    });
    assert.equal(csp.ran, false);
    assert.ok(csp.violations.some((v) => v.startsWith('script-src')), csp.violations.join());
    assert.match(csp.header ?? '', /default-src 'self'; script-src 'self';.*frame-ancestors 'none'/);
    // The page got the preload's api: exactly the contract's methods and `on`; no WebSocket (not serve mode).
    const keys = await page.evaluate(() => Object.keys((window as unknown as { kubedeck: object }).kubedeck).sort());
    assert.deepEqual(keys, [...METHOD_NAMES, 'on'].sort());
    // The login shell's PATH was taken at launch: a plugin only it can find authenticates a context.
    await podRow(page, 'via-login-path', 'shell').waitFor({ timeout: 30_000 });
  });

  describe('every contract method reaches the main side through the preload', () => {
    // Called with no arguments: the answer (a value, or core's own complaint about the arguments, which comes
    // back as Electron's "Error invoking remote method 'kubedeck:NAME'") proves the call went through the
    // preload, ipcMain's handler and the sender check into core.
    for (const name of METHOD_NAMES) {
      test(name, async () => {
        const { page } = await running[0].window(0);
        const answer = await page.evaluate(async (n) => {
          const api = (window as unknown as { kubedeck: Record<string, (...a: unknown[]) => Promise<unknown>> }).kubedeck;
          try {
            await api[n]();
            return 'answered';
          } catch (e) {
            return String((e as Error).message);
          }
        }, name);
        if (answer !== 'answered') assert.match(answer, new RegExp(`^Error invoking remote method 'kubedeck:${name}': `), answer);
        assert.doesNotMatch(answer, /No handler registered|refused|is not a function/, answer);
      });
    }
  });

  test('the contract\'s events come back through the preload, with their payloads', async () => {
    const [app] = running;
    const { page } = await app.window(0);
    const flow = await page.evaluate(async () => {
      type Api = {
        listClusters(): Promise<{ clusters: { context: string }[] }>;
        openTerminal(o: object): Promise<{ id: string }>;
        writeTerminal(id: string, d: string): Promise<void>;
        closeTerminal(id: string): Promise<void>;
        on(e: string, l: (p: { id: string; data: Uint8Array }) => void): () => void;
      };
      const api = (window as unknown as { kubedeck: Api }).kubedeck;
      const contexts = (await api.listClusters()).clusters.map((c) => c.context);
      let text = '';
      let typed = '';
      const off = api.on('terminal.data', (p) => {
        typed = p.data instanceof Uint8Array ? 'Uint8Array' : typeof p.data;
        text += new TextDecoder().decode(p.data);
      });
      const t = await api.openTerminal({ context: 'kd-test-2', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24, command: ['sh', '-c', 'read x; echo "got $x"'] });
      await api.writeTerminal(t.id, 'bridged\r');
      const t0 = Date.now();
      while (!text.includes('got bridged') && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      off();
      await api.closeTerminal(t.id);
      return { contexts, text, typed };
    });
    assert.deepEqual(flow.contexts.sort(), ['kd-test-1', 'kd-test-2', 'via-login-path']);
    assert.match(flow.text, /got bridged/);
    assert.equal(flow.typed, 'Uint8Array');
  });

  test('every event of the contract reaches the page\'s listeners', async () => {
    const [app] = running;
    const { page } = await app.window(0);
    // How each event is made to happen. A Record over the contract's event names: a new event fails the
    // typecheck here until the desktop test covers it.
    const ON_DESKTOP = 'desktop';
    const events: Record<KubedeckEventName, typeof ON_DESKTOP | string> = {
      'clusters.changed': ON_DESKTOP, 'clusters.status': ON_DESKTOP, 'clusters.namespaces': ON_DESKTOP, 'clusters.pods': ON_DESKTOP,
      'terminal.data': ON_DESKTOP, 'terminal.state': ON_DESKTOP, 'terminal.snapshot': ON_DESKTOP, 'terminal.sessions': ON_DESKTOP,
      'transfer.progress': ON_DESKTOP, 'recordings.changed': ON_DESKTOP, 'audit.appended': ON_DESKTOP, 'app.command': ON_DESKTOP,
      'portForwards.changed': ON_DESKTOP, 'logs.lines': ON_DESKTOP, 'logs.state': ON_DESKTOP,
      // settings.changed: the zoom menu items below change the fontSize setting.
      'settings.changed': ON_DESKTOP,
      // The desktop app makes no share links (nothing a teammate could reach): createShareLink refuses, below.
      'share.links': 'serve mode only', 'share.viewer': 'serve mode only',
    };
    const names = Object.keys(events) as KubedeckEventName[];
    await page.evaluate((all) => {
      const w = window as unknown as { kubedeck: { on(e: string, l: (p: unknown) => void): () => void }; seen: Record<string, unknown>; lists: string[] };
      w.seen = {};
      w.lists = [];
      for (const n of all) {
        w.kubedeck.on(n, (p) => {
          w.seen[n] ??= p;
          // What the namespace and pod lists said, to tell the test cluster's changes from the new context's first lists.
          const q = p as { context?: string; namespaces?: { name: string }[]; pods?: { name: string }[] };
          if (q.namespaces) w.lists.push(`${q.context} ns ${q.namespaces.map((x) => x.name).join(',')}`);
          if (q.pods) w.lists.push(`${q.context} pods ${q.pods.map((x) => x.name).join(',')}`);
        });
      }
    }, names);
    const seen = () => page.evaluate(() => (window as unknown as { seen: Record<string, unknown> }).seen);
    // clusters.changed and clusters.status: a kubeconfig added in the app, with a context of its own.
    const c2 = tc.clusters[1];
    const extra = join(dir, 'extra.yaml');
    await writeFile(extra, [
      'apiVersion: v1', 'kind: Config',
      'clusters:', '- name: extra', `  cluster: {server: "${c2.server}", certificate-authority-data: "${c2.caData}"}`,
      'users:', '- name: extra', `  user: {token: "${c2.token}"}`,
      'contexts:', '- name: kd-extra', '  context: {cluster: extra, user: extra, namespace: default}',
    ].join('\n') + '\n');
    // clusters.namespaces and clusters.pods: a namespace and a pod appear in a watched cluster.
    await page.evaluate(async (file) => {
      const api = (window as unknown as { kubedeck: Record<string, (...a: unknown[]) => Promise<unknown>> }).kubedeck;
      await api.addKubeconfig(file);
      await api.listNamespaces('kd-test-1');
      await api.listPods('kd-test-1', 'default');
      await api.setRecordingSettings({ ...((await api.getRecordingSettings()) as object), policy: { mode: 'all' } });
    }, extra);
    tc.clusters[0].addNamespace('kd-events');
    await tc.clusters[0].addPods([{ namespace: 'default', pod: { name: 'events-pod' } }, LOG_PODS[0]]);
    // terminal.*, audit.appended, recordings.changed: a recorded terminal opened, attached, typed into, closed;
    // transfer.progress: a file copied out of the pod.
    const out = join(dir, 'events-out');
    await mkdir(out, { recursive: true });
    const refused = await page.evaluate(async (toDir) => {
      const api = (window as unknown as { kubedeck: Record<string, (...a: unknown[]) => Promise<unknown>> }).kubedeck;
      const ref = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' };
      const t = (await api.openTerminal({ ...ref, cols: 80, rows: 24, command: ['sh', '-c', 'echo events; sleep 30'] })) as { id: string };
      await api.attachTerminal(t.id);
      await api.writeTerminal(t.id, 'x');
      const w = window as unknown as { seen: Record<string, unknown> };
      const t0 = Date.now();
      while (!w.seen['terminal.data'] && Date.now() - t0 < 20_000) await new Promise((r) => setTimeout(r, 50));
      await api.closeTerminal(t.id);
      await api.startTransfer({ from: { kind: 'container', ...ref }, paths: ['/etc/hostname'], to: { kind: 'local' }, toDir, conflict: 'overwrite' });
      // portForwards.changed: a forward started; logs.*: the ticker's log followed.
      await api.startPortForward({ target: ref, podPort: 80 });
      await api.openLogs({ context: 'kd-test-1', namespace: 'default', pod: 'ticker', options: { follow: true } });
      try {
        await api.createShareLink({ terminal: t.id });
        return '';
      } catch (e) {
        return String((e as Error).message);
      }
    }, out);
    assert.match(refused, /Share links need `kubedeck serve`/);
    // app.command: a menu item.
    menuItem(app, 'zoomIn').click();
    menuItem(app, 'zoomReset').click();
    const expected = names.filter((n) => events[n] === ON_DESKTOP).sort();
    let got: Record<string, unknown> = {};
    await until('every event', async () => {
      got = await seen();
      return expected.every((n) => n in got);
    }, 30_000).catch(() => undefined);
    assert.deepEqual(expected.filter((n) => !(n in got)), [], 'events that never reached the page');
    assert.deepEqual(got['app.command'], { command: 'zoomIn' });
    await until('the new namespace and pod listed', async () => {
      const lists = await page.evaluate(() => (window as unknown as { lists: string[] }).lists);
      return lists.some((l) => /^kd-test-1 ns .*\bkd-events\b/.test(l)) && lists.some((l) => /^kd-test-1 pods .*\bevents-pod\b/.test(l));
    });
    // Leave the suite's clusters as they were.
    await page.evaluate(async (file) => {
      const api = (window as unknown as { kubedeck: Record<string, (...a: unknown[]) => Promise<unknown>> }).kubedeck;
      await api.removeKubeconfig(file);
      await api.setRecordingSettings({ ...((await api.getRecordingSettings()) as object), policy: { mode: 'none' } });
    }, extra);
    await tc.clusters[0].deleteNamespace('kd-events');
  });

  test('a call from a frame that is not the app\'s top frame is refused', async () => {
    const [app] = running;
    const win = await app.window(0);
    await win.page.evaluate(() => {
      const f = document.createElement('iframe');
      f.name = 'foreign';
      document.body.append(f);
    });
    const frame = await until('the subframe', () => win.page.frames().find((f) => f.name() === 'foreign'));
    const api = win.webContents._preloadIn(frame).kubedeck as { listClusters(): Promise<unknown> };
    await assert.rejects(api.listClusters(), /refused: not the Kubedeck window/);
  });

  test('navigation and new windows are denied; web links go to shell.openExternal', async () => {
    const [app] = running;
    const win = await app.window(0);
    const { page } = win;
    const windowsBefore = app.standIn.windows().length;
    await page.evaluate(() => {
      window.open('https://example.com/docs?x=1', '_blank');
      const a = document.createElement('a');
      a.href = 'https://kubernetes.io/';
      a.target = '_blank';
      document.body.append(a);
      a.click();
      a.remove();
    });
    await until('both links went to the browser', () => app.openedExternally.length >= 2);
    assert.deepEqual(app.openedExternally.sort(), ['https://example.com/docs?x=1', 'https://kubernetes.io/']);
    await page.evaluate(() => {
      location.href = 'https://example.com/elsewhere';
    });
    await podRow(page, 'kd-test-1', 'shell').waitFor();
    assert.equal(win.webContents.getURL(), 'kubedeck://app/index.html');
    assert.equal(app.standIn.windows().length, windowsBefore);
    assert.equal(browser.contexts().flatMap((c) => c.pages()).length, running.length, 'no popup page left open');
    await stopAll();
  });

  test('closing, reloading and crashing a window leave no shell in the pod', async () => {
    const open = ['--open', 'kd-test-1/default/shell/main'];
    for (const what of ['reload', 'crash', 'close'] as const) {
      const before = await baseline();
      const app = await launch(open);
      const win = await app.window(0);
      await waitForShell(win.page, before);
      if (what === 'reload') {
        win.webContents.reload();
        await noShellLeft(before, 'a reload');
        // The reloaded page is a fresh client that works.
        await podRow(win.page, 'kd-test-1', 'shell').waitFor({ timeout: 30_000 });
      } else if (what === 'crash') {
        await win.webContents.forcefullyCrashRenderer();
        await noShellLeft(before, 'a renderer crash');
      } else {
        win.close();
        await noShellLeft(before, 'closing the window');
        await until('closing the last window quits the app (Linux)', () => app.standIn.app.hasQuit);
      }
      await stopAll();
    }
  });

  test('quitting ends every terminal of every window', async () => {
    const before = await baseline();
    const app = await launch(['--open', 'kd-test-1/default/shell/main']);
    await waitForShell((await app.window(0)).page, before);
    // A second instance opens another terminal, in a new window of the first.
    const second = await launch(['--open=kd-test-1/default/shell/main'], app.locks);
    assert.equal(second.standIn.app.hasQuit, true, 'the second instance quits');
    const w2 = await app.window(1);
    await until('the second window\'s terminal connects', async () => (await w2.page.getByTestId('terminal-pane').first().getAttribute('data-state').catch(() => null)) === 'connected', 30_000);
    const opened = await w2.page.getByTestId('terminal-pane').first().evaluate((e) => ['context', 'namespace', 'pod', 'container'].map((k) => e.getAttribute(`data-${k}`)).join('/'));
    assert.equal(opened, 'kd-test-1/default/shell/main', 'the second instance\'s --open terminal');
    await until('two shells', async () => (await newProcesses(before)).filter((p) => /bash/.test(p)).length >= 2, 30_000);
    await app.quit();
    await noShellLeft(before, 'quitting');
    await stopAll();
  });
});

/** The stand-in's application menu item with this id (Menu.getApplicationMenu().getMenuItemById). */
function menuItem(app: DesktopApp, id: string) {
  const item = app.standIn.electron.Menu.getApplicationMenu()?.getMenuItemById(id);
  assert.ok(item, `menu item ${id}`);
  return item;
}

const paneStates = (page: Page) => page.getByTestId('terminal-pane').evaluateAll((els) => els.map((e) => e.getAttribute('data-state')));

describe('the app menu and the window', () => {
  test('the menu bar is File, Edit, View, Window, Help with the page\'s keys, and its items act in the focused window', async () => {
    const before = await baseline();
    let answer = 1;
    const app = await launch(['--open', 'kd-test-1/default/shell/main'], undefined, { answerMessageBox: () => answer });
    const win = await app.window(0);
    const { page } = win;
    await waitForShell(page, before);
    const menu = app.standIn.electron.Menu.getApplicationMenu();
    assert.deepEqual(menu?.items.map((i) => i.label), ['File', 'Edit', 'View', 'Window', 'Help']);
    const shown = (label: string) => menu!.items.find((i) => i.label === label)!.submenu!.items.filter((i) => i.type !== 'separator').map((i) => `${i.label || i.role}${i.accelerator ? ` ${i.accelerator}` : ''}`);
    assert.deepEqual(shown('File'), ['New Tab Ctrl+Shift+T', 'New Window Ctrl+Shift+N', 'Split Right Ctrl+Shift+D', 'Split Down Ctrl+Shift+S', 'Close Pane Ctrl+Shift+X', 'Close Tab Ctrl+Shift+W', 'Close Window Ctrl+Shift+Q', 'Show Data Folder', 'Quit']);
    assert.deepEqual(shown('View'), ['Zoom In Ctrl+=', 'Zoom Out Ctrl+-', 'Actual Size Ctrl+0', 'Toggle Full Screen F11', 'Reload Window Ctrl+Shift+R', 'toggleDevTools Ctrl+Shift+I']);

    // Split Right: the focused tab gets a second pane, a shell of its own.
    menuItem(app, 'splitRight').click();
    await until('two panes, both connected', async () => (await paneStates(page)).join() === 'connected,connected', 30_000);
    // New Tab: another terminal on the same container, in a tab of its own, which is shown.
    menuItem(app, 'newTab').click();
    await until('a second tab', async () => (await page.getByTestId('tab').count()) === 2);
    await until('the new tab is active', async () => (await page.getByTestId('tab').nth(1).getAttribute('aria-selected')) === 'true');
    menuItem(app, 'previousTab').click();
    await until('Previous Tab shows the first', async () => (await page.getByTestId('tab').nth(0).getAttribute('aria-selected')) === 'true');
    // Find opens the find bar of the focused pane.
    menuItem(app, 'find').click();
    await page.getByTestId('search-bar').waitFor();
    // Zoom: every terminal's text size, and the grid refits to it.
    const cols = Number(await page.getByTestId('terminal-pane').first().getAttribute('data-cols'));
    menuItem(app, 'zoomIn').click();
    menuItem(app, 'zoomIn').click();
    await until('text size 15 in every pane', async () => (await page.getByTestId('terminal-pane').evaluateAll((els) => els.map((e) => e.getAttribute('data-font-size')))).every((v) => v === '15'));
    await until('fewer columns at the larger size', async () => Number(await page.getByTestId('terminal-pane').first().getAttribute('data-cols')) < cols);
    menuItem(app, 'zoomReset').click();
    await until('text size back to 13', async () => (await page.getByTestId('terminal-pane').first().getAttribute('data-font-size')) === '13');
    // Close Tab closes the active tab (the split one): one tab, one pane left.
    menuItem(app, 'closeTab').click();
    await until('one tab with one pane', async () => (await page.getByTestId('tab').count()) === 1 && (await page.getByTestId('terminal-pane').count()) === 1);
    // Window items are the main side's.
    menuItem(app, 'toggleFullScreen').click();
    assert.equal(win.isFullScreen(), true);
    menuItem(app, 'toggleFullScreen').click();
    assert.equal(win.isFullScreen(), false);
    menuItem(app, 'openDataFolder').click();
    assert.deepEqual(app.openedPaths, [env.KUBEDECK_DATA_DIR]);

    // Reload Window with no grace period (this suite's settings) would end the terminal: it asks first.
    let navigations = 0;
    win.webContents.on('did-start-navigation', (d: { isMainFrame: boolean }) => d.isMainFrame && navigations++);
    menuItem(app, 'reload').click();
    await until('Reload asks', () => app.messageBoxes.length === 1);
    assert.match(app.messageBoxes[0].message, /Reloading ends the terminal of this window/);
    assert.deepEqual(app.messageBoxes[0].buttons, ['Reload', 'Cancel']);
    answer = 0;
    menuItem(app, 'reload').click();
    await until('reloaded once it was confirmed', () => navigations > 0, 20_000);
    await podRow(page, 'kd-test-1', 'shell').waitFor({ timeout: 30_000 });
    assert.equal(navigations, 1, 'the cancelled reload did not reload');
    await stopAll();
    await noShellLeft(before, 'quitting');
  });

  test('Reload Window keeps the terminals when there is a grace period: the same shell, attached again', async () => {
    const data = join(dir, 'data-grace');
    await mkdir(data, { recursive: true });
    const before = await baseline();
    const app = await launch(['--open', 'kd-test-1/default/shell/main'], undefined, { env: { ...env, KUBEDECK_DATA_DIR: data } });
    const win = await app.window(0);
    await waitForShell(win.page, before);
    const shells = await newProcesses(before);
    const pane = win.page.getByTestId('terminal-pane').first();
    const id = await pane.getAttribute('data-session-id');
    await win.page.evaluate(() => ((window as unknown as { beforeReload: boolean }).beforeReload = true));
    menuItem(app, 'reload').click();
    await until('the page reloaded', async () => !(await win.page.evaluate(() => 'beforeReload' in window).catch(() => true)), 20_000);
    await until('the pane is attached again', async () => (await pane.getAttribute('data-state').catch(() => null)) === 'connected' && (await pane.getAttribute('data-session-id').catch(() => null)) === id, 30_000);
    assert.equal(app.messageBoxes.length, 0, 'a safe reload does not ask');
    assert.deepEqual(await newProcesses(before), shells, 'the same shell, no new one');
    await app.quit();
    await noShellLeft(before, 'quitting');
    await stopAll();
  });

  test('the window opens where it was left, on a display that is there', async () => {
    const data = join(dir, 'data-window');
    await mkdir(data, { recursive: true });
    const primary: StandInDisplay = { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 };
    const right: StandInDisplay = { id: 2, bounds: { x: 1920, y: 0, width: 2560, height: 1440 }, workArea: { x: 1920, y: 0, width: 2560, height: 1400 }, scaleFactor: 2 };
    const open = async (displays: StandInDisplay[]) => {
      const app = await launch([], undefined, { env: { ...env, KUBEDECK_DATA_DIR: data }, displays });
      return { app, win: await app.window(0) };
    };
    const bounds = (w: { options: Record<string, unknown> }) => {
      const { x, y, width, height } = w.options as Record<string, number>;
      return { x, y, width, height };
    };
    // First run: the default size, centred by the system.
    let { app, win } = await open([primary, right]);
    assert.deepEqual(win.getBounds(), { x: 320, y: 120, width: 1280, height: 800 });
    // The user drags it onto the second display and resizes it.
    win.setBounds({ x: 2200, y: 100, width: 1400, height: 900 });
    await app.quit();
    assert.deepEqual(JSON.parse(await readFile(join(data, 'window-state.json'), 'utf8')), { bounds: { x: 2200, y: 100, width: 1400, height: 900 }, maximized: false });
    ({ app, win } = await open([primary, right]));
    assert.deepEqual(bounds(win), { x: 2200, y: 100, width: 1400, height: 900 });
    // A second window opens a step down and right of the first, not over it.
    menuItem(app, 'newWindow').click();
    assert.deepEqual(bounds(await app.window(1)), { x: 2224, y: 124, width: 1400, height: 900 });
    await app.quit();
    // The second display is unplugged: the window comes back on the primary, whole.
    ({ app, win } = await open([primary]));
    assert.deepEqual(bounds(win), { x: 260, y: 70, width: 1400, height: 900 });
    win.maximize();
    await app.quit();
    ({ win } = await open([primary]));
    assert.equal(win.isMaximized(), true, 'maximized again');
    assert.deepEqual(win.getNormalBounds(), { x: 260, y: 70, width: 1400, height: 900 });
    await stopAll();
  });
});
