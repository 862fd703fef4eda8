// Electron main process: windows, ipcMain wiring and security settings only.
// Everything else lives in main/core; each window is one Kubedeck client.
import { app, BrowserWindow, ipcMain, protocol, session, shell, net, type WebContents } from 'electron';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { IPC_EVENT_CHANNEL, IPC_PREFIX, METHOD_NAMES } from '../../common/contract/index.ts';
import { Kubedeck, type KubedeckClient, type KubedeckEmit } from '../core/kubedeck.ts';
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

function clientFor(contents: WebContents): KubedeckClient {
  let client = clients.get(contents.id);
  if (client && !client.closed) return client;
  const emit: KubedeckEmit = (name, payload) => {
    if (!contents.isDestroyed()) contents.send(IPC_EVENT_CHANNEL, { name, payload });
  };
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

function createWindow(hash = ''): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 800,
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
  void win.loadURL(`${APP_ORIGIN}/index.html${hash}`);
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
    lockDown();
    serveRenderer();
    bindContract();
    createWindow(deepLink(process.argv));
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow();
    });
  });
}
