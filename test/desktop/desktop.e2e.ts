// The built desktop app (dist/main/app.cjs + dist/preload/preload.cjs) under the Electron stand-in, against
// two test clusters: what a user of the desktop app sees, and that no window event leaves a shell in a pod.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { METHOD_NAMES } from '../../common/contract/index.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';
import { CHROMIUM_ARGS } from '../e2e/helpers.ts';
import { until } from '../util/wait.ts';
import { launchDesktopApp, type DesktopApp } from './harness.ts';

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

async function launch(argv: string[] = [], locks?: DesktopApp['locks']): Promise<DesktopApp> {
  const app = await launchDesktopApp({ browser, appData: join(dir, 'appData'), env, argv, locks });
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

  test('every contract method reaches the main side through the preload, and events come back', async () => {
    const [app] = running;
    const { page } = await app.window(0);
    const answers = await page.evaluate(async (names) => {
      const api = (window as unknown as { kubedeck: Record<string, (...a: unknown[]) => Promise<unknown>> }).kubedeck;
      const out: Record<string, string> = {};
      for (const n of names) {
        try {
          await api[n]();
          out[n] = 'ok';
        } catch (e) {
          out[n] = String((e as Error).message);
        }
      }
      return out;
    }, METHOD_NAMES as string[]);
    for (const [name, answer] of Object.entries(answers)) {
      assert.doesNotMatch(answer, /No handler registered|refused|is not a function/, `${name}: ${answer}`);
    }
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
    await until('two shells', async () => (await newProcesses(before)).filter((p) => /bash/.test(p)).length >= 2, 30_000);
    await app.quit();
    await noShellLeft(before, 'quitting');
    await stopAll();
  });
});
