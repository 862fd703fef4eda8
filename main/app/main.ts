// Electron main process: windows, ipcMain wiring and security settings only.
// Everything else lives in main/core; each window is one Kubedeck client.
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, screen, session, shell, net, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_PREFIX, METHOD_NAMES, type KubedeckEventName, type KubedeckEvents } from '../../common/contract/index.ts';
import { graceSeconds, Kubedeck, TERMINALS_GRACE_SECONDS, type KubedeckClient, type KubedeckEmit } from '../core/kubedeck.ts';
import { appMenuTemplate, reloadWarning, type MenuAction } from '../core/appMenu.ts';
import { clampToDisplays, DEFAULT_WINDOW_STATE, loadWindowState, saveWindowState, type WindowState } from '../core/windowState.ts';
import { DEFAULT_GRACE_SECONDS } from '../core/terminals/sessionHost.ts';
import { APP_ORIGIN, APP_SCHEME, isTrustedSender } from '../core/ipcPolicy.ts';
import { deepLinkFromArgv } from '../core/openArg.ts';
import { createQuitHandler } from '../core/quitCleanup.ts';
import { adoptLoginShellEnv } from '../core/env/loginShellEnv.ts';
import os from 'node:os';

/**
 * The UI is served from a privileged custom scheme, not file://: it gets a real origin to check
 * senders against, and response headers (the CSP) that file:// can't carry.
 */
const RENDERER_DIR = path.join(__dirname, '..', 'renderer');
const PRELOAD = path.join(__dirname, '..', 'preload', 'preload.cjs');

const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

// Made once the login shell's environment is in (KUBECONFIG and credential plugins' PATH come from it).
let kubedeck: Kubedeck;

/**
 * Started from a desktop launcher or the Dock, the app lacks the user's shell PATH and credential plugins
 * are "not found": take PATH and the plugins' variables from the login shell first (main/core/env).
 */
async function adoptShellEnvironment(): Promise<void> {
  let shell = process.env.SHELL;
  try {
    shell ||= os.userInfo().shell ?? undefined;
  } catch {
    // no passwd entry: nothing to ask
  }
  const r = await adoptLoginShellEnv(process.env, { shell, execPath: process.execPath, platform: process.platform });
  if (r.error) console.error(`kubedeck: login shell environment not taken: ${r.error}`);
}
const clients = new Map<number, KubedeckClient>();

/** `--open context/namespace/pod/container` → the UI's deep link (a bad value is reported, the app still opens). */
function deepLink(argv: string[]): string {
  const { hash, error } = deepLinkFromArgv(argv);
  if (error) console.error(`kubedeck: ${error}`);
  return hash;
}

/** An event to one window's page (the preload hands it to the page's `on` listeners). */
function sendEvent<E extends KubedeckEventName>(contents: WebContents, name: E, payload: KubedeckEvents[E]): void {
  if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, { name, payload });
}

function clientFor(contents: WebContents): KubedeckClient {
  let client = clients.get(contents.id);
  if (client && !client.closed) return client;
  const emit: KubedeckEmit = (name, payload) => sendEvent(contents, name, payload);
  client = kubedeck.connect(emit);
  clients.set(contents.id, client);
  // The window is gone (closed, crashed, reloaded away): it detaches from its terminals, which run on in the
  // session host for the grace period (a reloaded page re-attaches them); app quit ends them all.
  contents.once('destroyed', () => {
    clients.delete(contents.id);
    void client?.close();
  });
  return client;
}

/** The last window's size and place (window-state.json in the data folder), read at start, kept as windows close. */
let windowState: WindowState = DEFAULT_WINDOW_STATE;
/** Where a new window goes: the remembered bounds, a step down-right of a window still open, on a display that is there. */
function newWindowBounds(): WindowState['bounds'] {
  const open = BrowserWindow.getFocusedWindow() ?? BrowserWindow.getAllWindows()[0];
  let bounds = windowState.bounds;
  if (open) {
    const b = open.getNormalBounds();
    bounds = { ...b, x: b.x + 24, y: b.y + 24 };
  }
  const primary = screen.getPrimaryDisplay();
  const areas = [primary, ...screen.getAllDisplays().filter((d) => d.id !== primary.id)].map((d) => d.workArea);
  return clampToDisplays(bounds, areas);
}
function rememberWindow(win: BrowserWindow): void {
  // Normal bounds: a maximized or full-screen window comes back maximized over the size it had before.
  windowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
  try {
    saveWindowState(kubedeck.dataDir, windowState);
  } catch (err) {
    console.error(`kubedeck: window state not saved: ${String(err)}`);
  }
}

function createWindow(hash = ''): BrowserWindow {
  const maximize = windowState.maximized && BrowserWindow.getAllWindows().length === 0;
  const win = new BrowserWindow({
    ...newWindowBounds(),
    minWidth: 640,
    minHeight: 400,
    title: 'Kubedeck',
    icon: path.join(__dirname, '..', '..', 'build', 'icon.png'),
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      spellcheck: false,
    },
  });
  if (maximize) win.maximize();
  win.on('close', () => rememberWindow(win));
  clientFor(win.webContents);
  // A crashed page is gone as surely as a closed one: its client detaches (its sessions run on for the grace
  // period; the reloaded page attaches them again).
  win.webContents.on('render-process-gone', () => {
    const old = clients.get(win.webContents.id);
    if (old) {
      clients.delete(win.webContents.id);
      void old.close();
    }
  });
  // A reload gives the page a new client: the old one detaches (its sessions run on), and the reloaded page,
  // which keeps its layout in sessionStorage, attaches to them again with their exact screens.
  let firstLoad = true;
  win.webContents.on('did-start-navigation', (details) => {
    if (!details.isMainFrame || details.isSameDocument) return;
    if (firstLoad) {
      firstLoad = false;
      return;
    }
    const old = clients.get(win.webContents.id);
    if (old) {
      clients.delete(win.webContents.id);
      void old.close();
    }
    clientFor(win.webContents);
  });
  // A window closed (or the app quit) while its page loads rejects the load: nothing to report then.
  win.loadURL(`${APP_ORIGIN}/index.html${hash}`).catch((err: unknown) => {
    if (!win.isDestroyed()) console.error(`kubedeck: the window's page did not load: ${String(err)}`);
  });
  return win;
}

function serveRenderer(): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('not found', { status: 404 });
    const rel = decodeURIComponent(url.pathname === '/' ? '/index.html' : url.pathname);
    const file = path.resolve(RENDERER_DIR, '.' + rel);
    if (!file.startsWith(RENDERER_DIR + path.sep)) return new Response('forbidden', { status: 403 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CSP);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

function lockDown(): void {
  // No permission prompts: a pod terminal needs none, except writing the clipboard for copy.
  session.defaultSession.setPermissionRequestHandler((_wc, permission, cb) => cb(permission === 'clipboard-sanitized-write'));
  app.on('web-contents-created', (_e, contents) => {
    contents.on('will-navigate', (event, url) => {
      if (!url.startsWith(APP_ORIGIN + '/')) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
    // New windows are denied; http(s) links (xterm web-links) open in the user's browser instead.
    contents.setWindowOpenHandler(({ url }) => {
      if (/^https?:\/\//i.test(url)) void shell.openExternal(url);
      return { action: 'deny' };
    });
  });
}

/** Reload Window: safe (the reloaded page attaches its terminals again) unless that would end them; then it asks. */
async function reloadWindow(win: BrowserWindow): Promise<void> {
  const grace = graceSeconds(kubedeck.settings.get<unknown>(TERMINALS_GRACE_SECONDS, DEFAULT_GRACE_SECONDS));
  const client = clients.get(win.webContents.id);
  const open = client ? (await client.methods.listTerminals()).length : 0;
  const warning = reloadWarning(grace, open);
  if (warning) {
    const { response } = await dialog.showMessageBox(win, { type: 'warning', buttons: ['Reload', 'Cancel'], defaultId: 1, cancelId: 1, ...warning });
    if (response !== 0 || win.isDestroyed()) return;
  }
  win.webContents.reload();
}

/** What the app menu's items do (the template is main/core/appMenu.ts). */
function runMenuAction(action: MenuAction, focused: unknown): void {
  const win = focused instanceof BrowserWindow && !focused.isDestroyed() ? focused : undefined;
  if ('command' in action) {
    if (win) sendEvent(win.webContents, 'app.command', { command: action.command });
  } else if ('window' in action) {
    if (action.window === 'new') createWindow();
    else if (!win) return;
    else if (action.window === 'reload') void reloadWindow(win);
    else if (action.window === 'close') win.close();
    else win.setFullScreen(!win.isFullScreen());
  } else if (action.app === 'quit') app.quit();
  else void shell.openPath(kubedeck.dataDir);
}

function bindContract(): void {
  for (const method of METHOD_NAMES) {
    ipcMain.handle(IPC_PREFIX + method, async (event, ...args: unknown[]) => {
      if (!isTrustedSender(event)) throw new Error('refused: not the Kubedeck window');
      return clientFor(event.sender).call(method, args);
    });
  }
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', (_e, argv) => {
    // `kubedeck --open …` while running: a new window on that terminal.
    if (!kubedeck) return;
    createWindow(deepLink(argv));
  });
  app.on('before-quit', createQuitHandler({ cleanup: () => kubedeck?.shutdown() ?? Promise.resolve(), quit: () => app.quit() }));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  void app.whenReady().then(async () => {
    await adoptShellEnvironment();
    kubedeck = new Kubedeck({ dataDir: process.env.KUBEDECK_DATA_DIR ?? path.join(app.getPath('appData'), 'kubedeck') });
    windowState = await loadWindowState(kubedeck.dataDir, []);
    Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate({ platform: process.platform, appName: app.name, run: runMenuAction })));
    lockDown();
    serveRenderer();
    bindContract();
    createWindow(deepLink(process.argv));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
