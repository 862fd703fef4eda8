/**
 * A stand-in for the `electron` module, for running the built dist/main/app.cjs and dist/preload/preload.cjs
 * without an Electron binary (none can be had on our machines). Only documented Electron API, and only
 * what Kubedeck uses; each member says which Electron API it stands for. Each BrowserWindow is a page in
 * Chromium (Playwright, Debian's chromium); the app's own protocol handler serves its pages through route
 * interception; the preload runs here in Node (as in Electron, in a world apart from the page) and what it
 * exposes with contextBridge is carried to the page by one Playwright binding.
 *
 * Where it cannot be Electron, it says so:
 * - Chromium cannot load a custom scheme, so `kubedeck://app/…` is `https://app.kubedeck.test/…` in the page;
 *   every URL the app sees (frames, navigations, requests) is translated back to `kubedeck://app/…`.
 * - contextBridge calls are synchronous across worlds in Electron; here they cross a binding, so a bridged
 *   function returns a callable thenable (awaiting it gives the value; calling it calls the returned function).
 * - App "processes" are modules loaded in the test's process; quitting ends the app, not the process.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { createRequire } from 'node:module';
import type { BrowserContext, Frame, Page, Route, Request as PwRequest } from 'playwright-core';
import { until } from '../util/wait.ts';

const nodeRequire = createRequire(import.meta.url);

/** Electron's `Event` (preventDefault, defaultPrevented) with the event's own fields. */
class StandInEvent {
  defaultPrevented = false;
  constructor(fields: object = {}) {
    Object.assign(this, fields);
  }
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

/** Page URL ↔ app URL: a custom scheme `s://host/p` is `https://host.s.test/p` in Chromium. */
export function toPageUrl(url: string, schemes: Set<string>): string {
  const u = new URL(url);
  const scheme = u.protocol.slice(0, -1);
  if (!schemes.has(scheme)) return url;
  return `https://${u.host}.${scheme}.test${u.pathname}${u.search}${u.hash}`;
}
export function toAppUrl(url: string, schemes: Set<string>): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return url;
  }
  const m = /^(.+)\.([a-z][a-z0-9+.-]*)\.test$/.exec(u.hostname);
  if (u.protocol !== 'https:' || !m || !schemes.has(m[2])) return url;
  return `${m[2]}://${m[1]}${u.pathname}${u.search}${u.hash}`;
}

const MIME: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.woff2': 'font/woff2', '.woff': 'font/woff',
  '.ttf': 'font/ttf', '.wasm': 'application/wasm', '.map': 'application/json', '.txt': 'text/plain',
};

/** What the harness needs to know of a stand-in app, besides the `electron` module itself. */
export interface StandInOptions {
  /** The browser context every window of this app opens in (Electron's default session). */
  context: BrowserContext;
  /** The preload bundle the app names in webPreferences is read from disk, as Electron does. */
  argv: string[];
  /** userData/appData folder for app.getPath. */
  appData: string;
  /** Holder of the single-instance lock, shared between the stand-in apps of one test. */
  locks: Map<string, StandInApp>;
  /** Called by shell.openExternal. */
  onOpenExternal(url: string): void;
  /** Called by shell.openPath. */
  onOpenPath?(path: string): void;
  /** The displays `screen` reports, the primary first (default: one 1920×1080 with a 40 px panel). */
  displays?: StandInDisplay[];
  /** Answers dialog.showMessageBox: the index of the button the user presses (default: the cancelId). */
  onMessageBox?(options: MessageBoxOptions): number;
}

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Electron's Display (the fields Kubedeck reads). */
export interface StandInDisplay {
  id: number;
  bounds: Rect;
  workArea: Rect;
  scaleFactor: number;
}

/** Electron's MessageBoxOptions (the fields Kubedeck passes). */
export interface MessageBoxOptions {
  message: string;
  type?: string;
  buttons?: string[];
  defaultId?: number;
  cancelId?: number;
  title?: string;
  detail?: string;
}

/** Electron's MenuItemConstructorOptions (the fields Kubedeck uses). */
export interface MenuItemOptions {
  id?: string;
  label?: string;
  role?: string;
  type?: string;
  accelerator?: string;
  enabled?: boolean;
  visible?: boolean;
  submenu?: MenuItemOptions[];
  click?: (menuItem: unknown, focusedWindow: unknown, event: unknown) => void;
}

export type StandInApp = ReturnType<typeof createElectronStandIn>['app'];
export type StandIn = ReturnType<typeof createElectronStandIn>;

/**
 * The page-side half of the bridge: builds `window[key]` from the preload's exposed shape. Plain JavaScript
 * in a string: it runs in the page, where the helpers a TypeScript transform adds do not exist.
 */
const PAGE_BRIDGE = String.raw`(shape) => {
  // Electron runs the preload in the main frame only (nodeIntegrationInSubFrames: false).
  if (window !== window.top) return;
  const call = window.__kdStandInBridge;
  const docId = Date.now() + '-' + Math.random();
  const fns = new Map();
  let next = 0;
  const encode = (v) => {
    if (typeof v === 'function') {
      fns.set(++next, v);
      return { __kdFn: next };
    }
    return v;
  };
  // A callable thenable: awaited it is the result; called, it calls the function the result is.
  const bridged = (send) => (...args) => {
    const p = send(args.map(encode)).then(decode);
    const f = (...inner) => p.then((r) => (typeof r === 'function' ? r(...inner) : undefined));
    return Object.assign(f, { then: p.then.bind(p), catch: p.catch.bind(p), finally: p.finally.bind(p) });
  };
  const decode = (v) => {
    if (v && typeof v === 'object' && '__kdNodeFn' in v) return bridged((args) => call(docId, 'fn', v.__kdNodeFn, args));
    return v;
  };
  Object.defineProperty(window, '__kdStandInCallback', { value: (id, args) => fns.get(id)?.(...args.map(decode)) });
  void call(docId, 'hello');
  for (const [key, members] of Object.entries(shape)) {
    const obj = {};
    for (const [name, v] of Object.entries(members)) {
      obj[name] = v === '__kdFunction' ? bridged((args) => call(docId, 'call', key, name, args)) : v;
    }
    Object.defineProperty(window, key, { value: Object.freeze(obj), enumerable: true });
  }
}`;

export function createElectronStandIn(opts: StandInOptions) {
  const { context } = opts;
  const privileged = new Set<string>();
  const handlers = new Map<string, (req: Request) => Response | Promise<Response>>();
  const schemes = () => new Set([...privileged, ...handlers.keys()]);

  /** Electron `app`: lifecycle events, whenReady, quit, paths, the single-instance lock. */
  class App extends EventEmitter {
    private readyResolve!: () => void;
    private readonly ready = new Promise<void>((r) => (this.readyResolve = r));
    private isQuitting = false;
    /** Not Electron: resolves when the app has quit (Electron would end the process). */
    readonly quitted: Promise<void>;
    private quittedResolve!: () => void;
    hasQuit = false;
    /** app.name: package.json's productName, else its name (read from the app's folder, argv[1]). */
    name: string;
    constructor() {
      super();
      this.quitted = new Promise((r) => (this.quittedResolve = r));
      const pkg = JSON.parse(readFileSync(`${opts.argv[1]}/package.json`, 'utf8')) as { name: string; productName?: string };
      this.name = pkg.productName ?? pkg.name;
    }
    /** app.whenReady(): resolves once Electron has initialised. */
    whenReady(): Promise<void> {
      return this.ready;
    }
    /** app.isReady() */
    isReady(): boolean {
      return readyState;
    }
    /** Not Electron: the harness says "initialised" (emits 'ready', resolves whenReady). */
    _becomeReady(): void {
      readyState = true;
      this.emit('ready', new StandInEvent(), {});
      this.readyResolve();
    }
    /** app.getPath(name): appData and userData point into the test's folder. */
    getPath(name: string): string {
      if (name === 'appData' || name === 'userData' || name === 'temp' || name === 'home') return opts.appData;
      throw new Error(`stand-in app.getPath: ${name} is not provided`);
    }
    /**
     * app.requestSingleInstanceLock(additionalData): false if another instance holds it; that instance
     * then gets 'second-instance' (event, argv, workingDirectory, additionalData).
     */
    requestSingleInstanceLock(additionalData?: unknown): boolean {
      const holder = opts.locks.get('kubedeck');
      if (holder && !holder.hasQuit) {
        setImmediate(() => holder.emit('second-instance', new StandInEvent(), [...opts.argv], process.cwd(), additionalData));
        return false;
      }
      opts.locks.set('kubedeck', this);
      return true;
    }
    /**
     * app.quit(): emits before-quit (preventable), closes every window (each 'close' preventable), then
     * will-quit (preventable) and quit.
     */
    quit(): void {
      if (this.hasQuit) return;
      const bq = new StandInEvent();
      this.emit('before-quit', bq);
      if (bq.defaultPrevented) return;
      this.isQuitting = true;
      for (const w of [...windows]) w.close();
      if (windows.size) {
        this.isQuitting = false;
        return;
      }
      const wq = new StandInEvent();
      this.emit('will-quit', wq);
      if (wq.defaultPrevented) return;
      this.exit(0);
    }
    /** app.exit(code): quits at once, no events asked; 'quit' is emitted. */
    exit(code = 0): void {
      if (this.hasQuit) return;
      this.hasQuit = true;
      for (const w of [...windows]) w.destroy();
      this.emit('quit', new StandInEvent(), code);
      this.quittedResolve();
    }
    /** Not Electron: whether quit is closing the windows (window-all-closed is not emitted then). */
    get quitting(): boolean {
      return this.isQuitting;
    }
  }
  let readyState = false;
  const app = new App();

  const displays: StandInDisplay[] = opts.displays ?? [
    { id: 1, bounds: { x: 0, y: 0, width: 1920, height: 1080 }, workArea: { x: 0, y: 0, width: 1920, height: 1040 }, scaleFactor: 1 },
  ];
  /** The display a rectangle overlaps most (the primary if none), as screen.getDisplayMatching decides. */
  const displayMatching = (r: Rect): StandInDisplay => {
    let best = displays[0];
    let most = 0;
    for (const d of displays) {
      const b = d.bounds;
      const o = Math.max(0, Math.min(r.x + r.width, b.x + b.width) - Math.max(r.x, b.x)) * Math.max(0, Math.min(r.y + r.height, b.y + b.height) - Math.max(r.y, b.y));
      if (o > most) [most, best] = [o, d];
    }
    return best;
  };

  /** MenuItem: the template's fields; click(event, focusedWindow) runs the template's click as a user's choice does. */
  class StandInMenuItem {
    readonly id?: string;
    readonly label: string;
    readonly role?: string;
    readonly type: string;
    readonly accelerator?: string;
    enabled: boolean;
    visible: boolean;
    readonly submenu?: StandInMenu;
    private readonly onClick?: MenuItemOptions['click'];
    constructor(o: MenuItemOptions) {
      this.id = o.id;
      this.label = o.label ?? '';
      this.role = o.role;
      this.type = o.type ?? (o.submenu ? 'submenu' : o.role === undefined && !o.label ? 'separator' : 'normal');
      this.accelerator = o.accelerator;
      this.enabled = o.enabled ?? true;
      this.visible = o.visible ?? true;
      this.submenu = o.submenu ? StandInMenu.buildFromTemplate(o.submenu) : undefined;
      this.onClick = o.click;
    }
    /**
     * menuItem.click(event, focusedWindow, focusedWebContents): as the user choosing it. A role's native action
     * is Electron's own and not stood in for: the test sees only that the item is there.
     */
    click(event: unknown = {}, focusedWindow: unknown = StandInBrowserWindow.getFocusedWindow() ?? undefined): void {
      if (!this.enabled) return;
      this.onClick?.(this, focusedWindow, event);
    }
  }

  /** Menu: buildFromTemplate, items, getMenuItemById; the static set/getApplicationMenu. */
  class StandInMenu {
    readonly items: StandInMenuItem[] = [];
    private static application: StandInMenu | null = null;
    /** Menu.buildFromTemplate(template) */
    static buildFromTemplate(template: MenuItemOptions[]): StandInMenu {
      const m = new StandInMenu();
      for (const o of template) m.items.push(new StandInMenuItem(o));
      return m;
    }
    /** Menu.setApplicationMenu(menu): the menu bar (macOS: the app's menu). */
    static setApplicationMenu(menu: StandInMenu | null): void {
      StandInMenu.application = menu;
    }
    /** Menu.getApplicationMenu() */
    static getApplicationMenu(): StandInMenu | null {
      return StandInMenu.application;
    }
    /** menu.getMenuItemById(id): searches submenus too. */
    getMenuItemById(id: string): StandInMenuItem | null {
      for (const i of this.items) {
        if (i.id === id) return i;
        const inner = i.submenu?.getMenuItemById(id);
        if (inner) return inner;
      }
      return null;
    }
  }

  /** A frame of a page: Electron's WebFrameMain (url, name, parent, top). */
  const frames = new WeakMap<Frame, object>();
  const frameMain = (f: Frame): object => {
    let fm = frames.get(f);
    if (!fm) {
      fm = {
        get url() {
          return toAppUrl(f.url(), schemes());
        },
        get name() {
          return f.name();
        },
        get parent() {
          const p = f.parentFrame();
          return p ? frameMain(p) : null;
        },
        get top() {
          return frameMain(f.page().mainFrame());
        },
      };
      frames.set(f, fm);
    }
    return fm;
  };

  /** ipcMain: handle/removeHandler for invoke, EventEmitter for send. */
  class IpcMain extends EventEmitter {
    readonly handlers = new Map<string, (event: object, ...args: unknown[]) => unknown>();
    /** ipcMain.handle(channel, listener): answers ipcRenderer.invoke; a second handler for a channel throws. */
    handle(channel: string, listener: (event: object, ...args: unknown[]) => unknown): void {
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener);
    }
    /** ipcMain.removeHandler(channel) */
    removeHandler(channel: string): void {
      this.handlers.delete(channel);
    }
  }
  const ipcMain = new IpcMain();

  let nextContentsId = 1;
  const windows = new Set<StandInBrowserWindow>();

  /** One document's preload: its own module instance, ipcRenderer listeners and exposed objects. */
  interface PreloadInstance {
    exposed: Map<string, Record<string, unknown>>;
    listeners: Map<string, Set<(event: object, ...args: unknown[]) => void>>;
    nodeFns: Map<number, (...a: unknown[]) => unknown>;
    frame: Frame;
  }

  /** webContents: id, send, navigation and lifecycle events, the window-open handler, reload, crash. */
  class WebContents extends EventEmitter {
    readonly id = nextContentsId++;
    private destroyed = false;
    windowOpenHandler?: (details: { url: string; frameName: string; features: string; disposition: string }) => { action: 'allow' | 'deny' };
    /** Not Electron: the preload of the current document (and earlier ones until they go). */
    readonly preloads = new Map<string, PreloadInstance>();
    current?: PreloadInstance;
    /** Not Electron: a load the app or a reload asked for (no will-navigate for those, as in Electron). */
    expectingLoad = false;
    constructor(readonly win: StandInBrowserWindow) {
      super();
    }
    /** webContents.mainFrame */
    get mainFrame(): object {
      return frameMain(this.win.page!.mainFrame());
    }
    /** webContents.isDestroyed() */
    isDestroyed(): boolean {
      return this.destroyed;
    }
    /** webContents.getURL() */
    getURL(): string {
      return this.win.page ? toAppUrl(this.win.page.url(), schemes()) : '';
    }
    /** webContents.send(channel, ...args): to the current document's ipcRenderer listeners, structured-cloned. */
    send(channel: string, ...args: unknown[]): void {
      if (this.destroyed) throw new Error('Object has been destroyed');
      const pre = this.current;
      const set = pre?.listeners.get(channel);
      if (!pre || !set) return;
      const copy = structuredClone(args);
      for (const l of set) l({ sender: ipcRendererOf(pre), senderId: 0, ports: [] }, ...copy);
    }
    /** webContents.setWindowOpenHandler(handler) */
    setWindowOpenHandler(handler: WebContents['windowOpenHandler']): void {
      this.windowOpenHandler = handler;
    }
    /** webContents.loadURL(url) */
    async loadURL(url: string): Promise<void> {
      await this.win.opened;
      this.expectingLoad = true;
      await this.win.page!.goto(toPageUrl(url, schemes()));
    }
    /** webContents.reload() */
    reload(): void {
      this.expectingLoad = true;
      void this.win.page?.reload().catch(() => undefined);
    }
    /** webContents.forcefullyCrashRenderer(): the renderer process dies; 'render-process-gone' follows. */
    async forcefullyCrashRenderer(): Promise<void> {
      const cdp = await context.newCDPSession(this.win.page!);
      // No answer comes back from a renderer that has died: wait for Playwright's crash event instead.
      const crashed = new Promise<void>((r) => this.win.page!.once('crash', () => r()));
      void cdp.send('Page.crash').catch(() => undefined);
      await crashed;
    }
    /**
     * Not Electron: runs this window's preload in another frame of its page — what a subframe would get with
     * nodeIntegrationInSubFrames — and returns what it exposed, so a test can call from that frame.
     */
    _preloadIn(frame: Frame): Record<string, Record<string, unknown>> {
      const file = (this.win.options.webPreferences as { preload: string }).preload;
      return Object.fromEntries(runPreload(file, this, frame).exposed);
    }
    /** Not Electron: the window is gone; emits 'destroyed'. */
    _destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.emit('destroyed');
    }
  }

  /** The preload-side `electron`: contextBridge, ipcRenderer, webUtils (what a sandboxed preload gets). */
  const ipcRendererOf = (pre: PreloadInstance & { contents?: WebContents }) => ({
    /** ipcRenderer.invoke(channel, ...args): ipcMain's handler with event.sender and event.senderFrame. */
    invoke: async (channel: string, ...args: unknown[]) => {
      const handler = ipcMain.handlers.get(channel);
      const prefix = `Error invoking remote method '${channel}': `;
      if (!handler) throw new Error(`${prefix}Error: No handler registered for '${channel}'`);
      const contents = pre.contents!;
      const event = { sender: contents, senderFrame: frameMain(pre.frame), frameId: 0, processId: 0 };
      try {
        return structuredClone(await handler(event, ...structuredClone(args)));
      } catch (err) {
        throw new Error(`${prefix}${String(err)}`, { cause: err });
      }
    },
    /** ipcRenderer.on(channel, listener) */
    on(channel: string, listener: (event: object, ...args: unknown[]) => void) {
      let set = pre.listeners.get(channel);
      if (!set) pre.listeners.set(channel, (set = new Set()));
      set.add(listener);
      return this;
    },
    /** ipcRenderer.removeListener(channel, listener) */
    removeListener(channel: string, listener: (event: object, ...args: unknown[]) => void) {
      pre.listeners.get(channel)?.delete(listener);
      return this;
    },
  });

  /** Runs a preload file as Electron's sandboxed preload does: `require` gives only electron and a few modules. */
  function runPreload(file: string, contents: WebContents | undefined, frame: Frame | undefined): PreloadInstance & { contents?: WebContents } {
    const pre: PreloadInstance & { contents?: WebContents } = { exposed: new Map(), listeners: new Map(), nodeFns: new Map(), frame: frame!, contents };
    const electron = {
      /** contextBridge.exposeInMainWorld(key, api): copied into the page's world (values copied, functions proxied). */
      contextBridge: {
        exposeInMainWorld(key: string, api: Record<string, unknown>) {
          pre.exposed.set(key, api);
        },
      },
      ipcRenderer: ipcRendererOf(pre),
      /** webUtils.getPathForFile(file): a File's path on disk; a page's File does not cross the stand-in's bridge. */
      webUtils: {
        getPathForFile: () => '',
      },
    };
    const sandboxRequire = (id: string): unknown => {
      if (id === 'electron') return electron;
      // The modules a sandboxed preload may require, besides electron.
      if (['events', 'timers', 'url', 'node:events', 'node:timers', 'node:url'].includes(id)) return nodeRequire(id);
      throw new Error(`module not found: ${id} (a sandboxed preload can require electron, events, timers and url only)`);
    };
    const module = { exports: {} };
    const wrapped = vm.runInThisContext(`(function (exports, require, module, __filename, __dirname, process) {${readFileSync(file, 'utf8')}\n})`, { filename: file }) as (...a: unknown[]) => void;
    wrapped(module.exports, sandboxRequire, module, file, dirname(file), { platform: process.platform, versions: process.versions, env: {}, type: 'renderer', contextIsolated: true, sandboxed: true });
    return pre;
  }

  /** The preload's exposed objects as data the page can rebuild them from. */
  function shapeOf(pre: PreloadInstance): Record<string, Record<string, unknown>> {
    const shape: Record<string, Record<string, unknown>> = {};
    for (const [key, api] of pre.exposed) {
      shape[key] = {};
      for (const [name, v] of Object.entries(api)) shape[key][name] = typeof v === 'function' ? '__kdFunction' : structuredClone(v);
    }
    return shape;
  }

  /** BrowserWindow: a page in Chromium; close/destroy, events close/closed, the static getAllWindows. */
  class StandInBrowserWindow extends EventEmitter {
    readonly webContents: WebContents;
    page?: Page;
    readonly opened: Promise<void>;
    private closed = false;
    readonly options: Record<string, unknown>;
    /** The window's normal bounds (outer size, as Electron's x/y/width/height without useContentSize). */
    private normal: Rect;
    private maximized = false;
    private fullScreen = false;
    constructor(options: Record<string, unknown> = {}) {
      super();
      this.options = options;
      const o = options as Partial<Rect>;
      const width = o.width ?? 800;
      const height = o.height ?? 600;
      // Without x and y, Electron centres the window (on the primary display).
      const wa = displays[0].workArea;
      this.normal = { x: o.x ?? wa.x + Math.round((wa.width - width) / 2), y: o.y ?? wa.y + Math.round((wa.height - height) / 2), width, height };
      setFocused(this);
      this.webContents = new WebContents(this);
      windows.add(this);
      const prefs = (options.webPreferences ?? {}) as { preload?: string };
      this.opened = (async () => {
        const page = await context.newPage();
        this.page = page;
        pages.set(page, this);
        if (prefs.preload) {
          // The shape is the same for every document of this preload; each document gets its own instance.
          const probe = runPreload(prefs.preload, undefined, page.mainFrame());
          await page.addInitScript({ content: `(${PAGE_BRIDGE})(${JSON.stringify(shapeOf(probe))})` });
        }
        page.on('crash', () => this.webContents.emit('render-process-gone', new StandInEvent(), { reason: 'crashed', exitCode: 139 }));
        page.on('close', () => this.destroy());
      })();
      // app 'web-contents-created' (event, webContents): emitted as the window's contents are made.
      app.emit('web-contents-created', new StandInEvent(), this.webContents);
    }
    /** BrowserWindow.getAllWindows() */
    static getAllWindows(): StandInBrowserWindow[] {
      return [...windows];
    }
    /** BrowserWindow.getFocusedWindow(): the window last shown or focused (a new window takes the focus). */
    static getFocusedWindow(): StandInBrowserWindow | null {
      return focusedWindow && windows.has(focusedWindow) ? focusedWindow : null;
    }
    /** win.getBounds(): where the window is now (a maximized one fills its display's work area). */
    getBounds(): Rect {
      if (this.fullScreen) return { ...displayMatching(this.normal).bounds };
      if (this.maximized) return { ...displayMatching(this.normal).workArea };
      return { ...this.normal };
    }
    /** win.getNormalBounds(): the bounds it has when neither maximized nor full screen. */
    getNormalBounds(): Rect {
      return { ...this.normal };
    }
    /** win.setBounds(bounds): as the user moving or resizing it; emits 'move' and/or 'resize'. */
    setBounds(b: Partial<Rect>): void {
      const before = this.normal;
      this.maximized = false;
      this.normal = { ...before, ...b };
      if (b.x !== before.x || b.y !== before.y) this.emit('move', new StandInEvent());
      if (b.width !== before.width || b.height !== before.height) this.emit('resize', new StandInEvent());
    }
    /** win.maximize() / win.unmaximize() / win.isMaximized(): events 'maximize' and 'unmaximize'. */
    maximize(): void {
      if (this.maximized) return;
      this.maximized = true;
      this.emit('maximize', new StandInEvent());
    }
    unmaximize(): void {
      if (!this.maximized) return;
      this.maximized = false;
      this.emit('unmaximize', new StandInEvent());
    }
    isMaximized(): boolean {
      return this.maximized;
    }
    /** win.setFullScreen(flag) / win.isFullScreen(): events 'enter-full-screen' and 'leave-full-screen'. */
    setFullScreen(flag: boolean): void {
      if (this.fullScreen === flag) return;
      this.fullScreen = flag;
      this.emit(flag ? 'enter-full-screen' : 'leave-full-screen', new StandInEvent());
    }
    isFullScreen(): boolean {
      return this.fullScreen;
    }
    /** win.loadURL(url) */
    loadURL(url: string): Promise<void> {
      return this.webContents.loadURL(url);
    }
    /** win.isDestroyed() */
    isDestroyed(): boolean {
      return this.closed;
    }
    /** win.close(): as the user closing it: 'close' (preventable), then the window goes. */
    close(): void {
      if (this.closed) return;
      const e = new StandInEvent();
      this.emit('close', e);
      if (e.defaultPrevented) return;
      this.destroy();
    }
    /** win.destroy(): goes at once: 'closed', webContents 'destroyed', and window-all-closed after the last. */
    destroy(): void {
      if (this.closed) return;
      this.closed = true;
      windows.delete(this);
      void this.page?.close().catch(() => undefined);
      this.emit('closed');
      this.webContents._destroy();
      if (windows.size === 0 && !app.hasQuit) {
        if (app.quitting) return;
        // Without a listener Electron quits when the last window closes.
        if (app.listenerCount('window-all-closed')) app.emit('window-all-closed', new StandInEvent());
        else app.quit();
      }
    }
    /** win.focus() */
    focus(): void {
      setFocused(this);
      this.emit('focus', new StandInEvent());
      void this.page?.bringToFront().catch(() => undefined);
    }
  }
  let focusedWindow: StandInBrowserWindow | undefined;
  const setFocused = (w: StandInBrowserWindow) => (focusedWindow = w);
  const pages = new WeakMap<Page, StandInBrowserWindow>();
  const decided = new WeakSet<Page>();

  /** The binding the page half of the bridge calls; `source.frame` says which frame called. */
  async function onBridge(source: { page: Page; frame: Frame }, docId: string, op: string, ...rest: unknown[]): Promise<unknown> {
    const win = pages.get(source.page);
    if (!win || win.isDestroyed()) throw new Error('the window is gone');
    const contents = win.webContents;
    let pre = contents.preloads.get(docId);
    if (!pre) {
      const file = (win.options.webPreferences as { preload?: string } | undefined)?.preload;
      if (!file) throw new Error('no preload');
      pre = runPreload(file, contents, source.frame);
      contents.preloads.clear();
      contents.preloads.set(docId, pre);
      contents.current = pre;
    }
    const p = pre;
    const decode = (v: unknown): unknown => {
      if (v && typeof v === 'object' && '__kdFn' in v) {
        const id = (v as { __kdFn: number }).__kdFn;
        return (...args: unknown[]) => {
          if (contents.isDestroyed() || contents.current !== p) return;
          void source.frame.evaluate(([i, a]) => (window as unknown as { __kdStandInCallback(i: number, a: unknown[]): void }).__kdStandInCallback(i, a), [id, args] as [number, unknown[]]).catch(() => undefined);
        };
      }
      return v;
    };
    const encode = (v: unknown): unknown => {
      if (typeof v === 'function') {
        const id = p.nodeFns.size + 1;
        p.nodeFns.set(id, v as (...a: unknown[]) => unknown);
        return { __kdNodeFn: id };
      }
      return v;
    };
    if (op === 'hello') return undefined;
    if (op === 'call') {
      const [key, name, args] = rest as [string, string, unknown[]];
      const fn = p.exposed.get(key)?.[name];
      if (typeof fn !== 'function') throw new Error(`${key}.${name} is not a function`);
      return encode(await (fn as (...a: unknown[]) => unknown)(...args.map(decode)));
    }
    if (op === 'fn') {
      const [id, args] = rest as [number, unknown[]];
      return encode(await p.nodeFns.get(id)?.(...args.map(decode)));
    }
    throw new Error(`unknown bridge op ${op}`);
  }

  /** Every request of every window: the app's protocol handlers, navigation events, window opening. */
  async function onRoute(route: Route, request: PwRequest): Promise<void> {
    const appUrl = toAppUrl(request.url(), schemes());
    let frame: Frame | undefined;
    try {
      frame = request.frame();
    } catch {
      // Playwright has no frame yet for the first navigation of a page the app did not make.
    }
    const page = frame?.page();
    const win = page ? pages.get(page) : undefined;
    if (!frame || !page || !win) {
      // A window the page opened (window.open, target=_blank). The window-open handler decides, as in
      // Electron before any window exists; 'deny' closes it before it shows anything.
      await route.abort('blockedbyclient').catch(() => undefined);
      const popup = page ?? (await until('the popup', () => context.pages().find((p) => !pages.has(p) && !decided.has(p)), 10_000, 10).catch(() => undefined));
      if (!popup) return;
      decided.add(popup);
      const opener = await popup.opener().catch(() => null);
      const owner = opener ? pages.get(opener) : undefined;
      const decision = owner?.webContents.windowOpenHandler?.({ url: appUrl, frameName: '', features: '', disposition: 'new-window' }) ?? { action: 'deny' };
      // 'allow' would make a BrowserWindow of it; Kubedeck never allows, and the stand-in does not either.
      if (decision.action === 'allow') console.error('electron stand-in: window-open "allow" is not supported; closing the popup');
      await popup.close().catch(() => undefined);
      return;
    }
    const contents = win.webContents;
    if (request.isNavigationRequest()) {
      const isMainFrame = frame === page.mainFrame();
      const current = toAppUrl(page.url(), schemes()).split('#')[0];
      const byApp = isMainFrame && contents.expectingLoad;
      if (isMainFrame) contents.expectingLoad = false;
      // will-navigate: navigations the page starts (not loadURL, not a reload), preventable.
      if (isMainFrame && !byApp && appUrl.split('#')[0] !== current) {
        const e = new StandInEvent({ url: appUrl, isMainFrame, isSameDocument: false, frame: frameMain(frame) });
        contents.emit('will-navigate', e, appUrl);
        if (e.defaultPrevented) {
          await route.abort('aborted').catch(() => undefined);
          return;
        }
      }
      // did-start-navigation (details): every navigation that starts, in any frame.
      contents.emit('did-start-navigation', new StandInEvent({ url: appUrl, isMainFrame, isSameDocument: false, frame: frameMain(frame) }));
    }
    const scheme = new URL(appUrl).protocol.slice(0, -1);
    const handler = handlers.get(scheme);
    if (!handler) {
      // Nothing outside the app's own scheme is fetched: tests run offline, and the app's CSP allows no other origin.
      await route.abort('blockedbyclient').catch(() => undefined);
      return;
    }
    try {
      const body = request.postDataBuffer();
      const res = await handler(new Request(appUrl, { method: request.method(), headers: await request.allHeaders(), body: body && request.method() !== "GET" ? new Uint8Array(body) : undefined }));
      const headers: Record<string, string> = {};
      res.headers.forEach((v, k) => (headers[k] = v));
      await route.fulfill({ status: res.status, headers, body: Buffer.from(await res.arrayBuffer()) });
    } catch {
      await route.abort('failed').catch(() => undefined);
    }
  }

  const wired = (async () => {
    await context.exposeBinding('__kdStandInBridge', onBridge as (source: unknown, ...a: unknown[]) => Promise<unknown>);
    await context.route('**/*', onRoute);
  })();

  const electron = {
    app,
    BrowserWindow: StandInBrowserWindow,
    ipcMain,
    /** protocol: registerSchemesAsPrivileged (before ready), handle(scheme, handler) (after ready). */
    protocol: {
      registerSchemesAsPrivileged(list: { scheme: string }[]) {
        if (readyState) throw new Error('protocol.registerSchemesAsPrivileged should be called before app is ready');
        for (const s of list) privileged.add(s.scheme);
      },
      handle(scheme: string, handler: (req: Request) => Response | Promise<Response>) {
        if (handlers.has(scheme)) throw new Error(`scheme ${scheme} is already handled`);
        handlers.set(scheme, handler);
      },
    },
    /** session.defaultSession: setPermissionRequestHandler (kept for the test to ask). */
    session: {
      defaultSession: {
        permissionRequestHandler: undefined as undefined | ((wc: unknown, permission: string, cb: (ok: boolean) => void, details?: object) => void),
        setPermissionRequestHandler(h: (wc: unknown, permission: string, cb: (ok: boolean) => void) => void) {
          this.permissionRequestHandler = h;
        },
      },
    },
    /** shell.openExternal(url): the user's browser; shell.openPath(path): the file manager ('' is success). Here, recorded. */
    shell: {
      openExternal(url: string): Promise<void> {
        opts.onOpenExternal(url);
        return Promise.resolve();
      },
      openPath(path: string): Promise<string> {
        opts.onOpenPath?.(path);
        return Promise.resolve('');
      },
    },
    Menu: StandInMenu,
    MenuItem: StandInMenuItem,
    /** screen: the displays (after ready, as in Electron). */
    screen: {
      getPrimaryDisplay(): StandInDisplay {
        if (!readyState) throw new Error("The 'screen' module can't be used before the app 'ready' event");
        return displays[0];
      },
      getAllDisplays(): StandInDisplay[] {
        if (!readyState) throw new Error("The 'screen' module can't be used before the app 'ready' event");
        return [...displays];
      },
      getDisplayMatching(rect: Rect): StandInDisplay {
        return displayMatching(rect);
      },
    },
    /** dialog.showMessageBox([window, ]options): resolves with the button the user pressed (the test answers). */
    dialog: {
      showMessageBox(win: unknown, options?: MessageBoxOptions): Promise<{ response: number; checkboxChecked: boolean }> {
        const o = (options ?? win) as MessageBoxOptions;
        const response = opts.onMessageBox ? opts.onMessageBox(o) : (o.cancelId ?? 0);
        return Promise.resolve({ response, checkboxChecked: false });
      },
    },
    /** net.fetch(url): file: URLs read from disk with their MIME type, as Chromium's file loader gives them. */
    net: {
      async fetch(url: string): Promise<Response> {
        const u = new URL(url);
        if (u.protocol !== 'file:') throw new Error(`stand-in net.fetch serves file: URLs only, not ${u.protocol}`);
        const file = fileURLToPath(u);
        const body = await readFile(file).catch(() => {
          throw new Error(`net::ERR_FILE_NOT_FOUND ${url}`);
        });
        return new Response(body, { status: 200, headers: { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' } });
      },
    },
  };
  return { electron, app, windows: () => [...windows], ready: wired, schemes };
}
