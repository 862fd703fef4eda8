/**
 * Makes a pane's xterm.js terminal: its options, its addons (fit, search, web links, Unicode 11 widths), and its
 * renderer — WebGL where it works, else the DOM renderer, which also takes over when the GPU context is lost
 * (driver reset, too many contexts). `?renderer=dom` in the page URL forces the DOM renderer (handy where WebGL
 * misbehaves) unless the renderer setting names one; setRenderer switches it live. The terminal refits to its host element whenever that is resized; the first fit is the pane's
 * to call, once it listens to resizes.
 */
import { Terminal, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { SearchAddon } from '@xterm/addon-search';
import { WebLinksAddon } from '@xterm/addon-web-links';
import { Unicode11Addon } from '@xterm/addon-unicode11';
import { WebglAddon } from '@xterm/addon-webgl';
import '@xterm/xterm/css/xterm.css';
import type { RendererChoice } from '../../../../common/contract/index.ts';
import { DEFAULT_FONT_FAMILY, type XtermLook } from '../../lib/settingsTerminal.ts';

export type RendererKind = 'webgl' | 'dom';

export interface PaneTerminal {
  term: Terminal;
  search: SearchAddon;
  /** The renderer setting changed: WebGL loaded or dropped (the DOM renderer draws without it). */
  setRenderer(choice: RendererChoice): void;
  /** Fits the terminal to its host now (no-op while the host is hidden or has no size). */
  fit(): void;
  /** Stops following the host's size and disposes of the terminal. */
  dispose(): void;
}

export interface TerminalOptions {
  theme: ITheme;
  /** Told which renderer draws, at start and when WebGL falls back to the DOM. */
  onRenderer(kind: RendererKind): void;
  /** Text size in points (default 13). */
  fontSize?: number;
  /** The look from the terminal settings (lib/settingsTerminal.ts); it wins over fontSize. */
  look?: XtermLook;
  /** The renderer setting (default auto: WebGL unless the page URL says ?renderer=dom). */
  renderer?: RendererChoice;
}

export function createTerminal(host: HTMLElement, opts: TerminalOptions): PaneTerminal {
  const term = new Terminal({
    allowProposedApi: true,
    cursorBlink: true,
    fontFamily: DEFAULT_FONT_FAMILY,
    fontSize: opts.fontSize ?? 13,
    lineHeight: 1.15,
    scrollback: 10000,
    ...opts.look,
    theme: opts.theme,
    macOptionIsMeta: true,
    rightClickSelectsWord: false,
  });
  const fitAddon = new FitAddon();
  const search = new SearchAddon({ highlightLimit: 1000 });
  term.loadAddon(fitAddon);
  term.loadAddon(search);
  term.loadAddon(new WebLinksAddon((_ev, uri) => window.open(uri, '_blank', 'noopener,noreferrer')));
  term.loadAddon(new Unicode11Addon());
  term.unicode.activeVersion = '11';
  term.open(host);
  let webgl: WebglAddon | undefined;
  const setRenderer = (choice: RendererChoice) => {
    const want = choice === 'dom' || (choice === 'auto' && new URLSearchParams(location.search).get('renderer') === 'dom') ? 'dom' : 'webgl';
    if (want === 'dom') {
      webgl?.dispose();
      webgl = undefined;
      opts.onRenderer('dom');
    } else if (!webgl) {
      webgl = loadWebgl(term, () => {
        webgl = undefined;
        opts.onRenderer('dom');
      });
      opts.onRenderer(webgl ? 'webgl' : 'dom');
    }
  };
  setRenderer(opts.renderer ?? 'auto');

  const fit = () => {
    if (host.offsetWidth === 0 || host.offsetHeight === 0) return;
    try {
      fitAddon.fit();
    } catch {
      // The renderer is not ready yet; the next resize fits.
    }
  };
  let raf = 0;
  const observer = new ResizeObserver(() => {
    cancelAnimationFrame(raf);
    raf = requestAnimationFrame(fit);
  });
  observer.observe(host);

  return {
    term,
    search,
    setRenderer,
    fit,
    dispose: () => {
      cancelAnimationFrame(raf);
      observer.disconnect();
      term.dispose();
    },
  };
}

/** The WebGL renderer, or undefined where it cannot be had; `onLost` when its GPU context goes. */
function loadWebgl(term: Terminal, onLost: () => void): WebglAddon | undefined {
  try {
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => {
      webgl.dispose();
      onLost();
    });
    term.loadAddon(webgl);
    return webgl;
  } catch {
    return undefined;
  }
}

/** A note from Kubedeck itself, drawn dim on lines of its own so it is not taken for the pod's output. */
export function writeNote(term: Terminal, text: string): void {
  term.write(`\r\n\x1b[2m[kubedeck] ${text.replaceAll('\n', '\r\n')}\x1b[0m\r\n`);
}

/** The text of the terminal's buffer, scrollback included (for the test hook, whatever the renderer). */
export function bufferText(term: Terminal): string {
  const buf = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buf.length; i++) lines.push(buf.getLine(i)?.translateToString(true) ?? '');
  return lines.join('\n').replace(/\n+$/, '');
}
