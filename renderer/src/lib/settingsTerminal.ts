/**
 * The terminal settings as xterm.js takes them: the options a setting sets (applied live to a running
 * terminal: only those that differ, and whether the cell size changed so the pane must refit), the bell, and
 * where a paste must ask first. Plain code over the parts of xterm it touches, tested without a DOM.
 */
import type { ContainerRef, TerminalSettings } from '../../../common/contract/index.ts';

/** Kubedeck's monospace list: an empty font family setting means this one. */
export const DEFAULT_FONT_FAMILY = "'DejaVu Sans Mono', 'Cascadia Mono', Menlo, Consolas, 'Liberation Mono', monospace";

export interface XtermLook {
  fontFamily: string;
  fontSize: number;
  lineHeight: number;
  cursorStyle: 'block' | 'underline' | 'bar';
  scrollback: number;
}

/** The xterm options the settings give. */
export function xtermLook(s: Pick<TerminalSettings, keyof XtermLook>): XtermLook {
  return { fontFamily: s.fontFamily.trim() || DEFAULT_FONT_FAMILY, fontSize: s.fontSize, lineHeight: s.lineHeight, cursorStyle: s.cursorStyle, scrollback: s.scrollback };
}

/** Options that change the cell, so the terminal must refit (and the session resize) after them. */
const GEOMETRY: (keyof XtermLook)[] = ['fontFamily', 'fontSize', 'lineHeight'];

/** Sets the options that differ; true when the cell size may have changed. */
export function applyLook(options: Partial<XtermLook>, look: XtermLook): boolean {
  let refit = false;
  for (const k of Object.keys(look) as (keyof XtermLook)[]) {
    if (options[k] === look[k]) continue;
    (options as Record<string, unknown>)[k] = look[k];
    if (GEOMETRY.includes(k)) refit = true;
  }
  return refit;
}

/** Whether a paste must ask first: it has a line break (which runs what is before it), the warning is on, and the terminal is not in bracketed paste mode (where the shell takes a paste as text, not as typed Enter keys). */
export function pasteAsks(text: string, opts: { warn: boolean; bracketed: boolean }): boolean {
  return opts.warn && !opts.bracketed && /[\r\n]/.test(text);
}

/** How the question names the terminal: "shell@kd-test-1" (pod@context). */
export function pasteTarget(ref: Pick<ContainerRef, 'pod' | 'context'>): string {
  return `${ref.pod}@${ref.context}`;
}

let audio: AudioContext | undefined;

/** The bell: a short flash of the pane (visual), a short tone (sound), or nothing. */
export function ringBell(kind: TerminalSettings['bell'], pane: HTMLElement | undefined): void {
  if (kind === 'visual' && pane) {
    pane.classList.remove('bell');
    // Restart the animation when bells come quickly one after another.
    void pane.offsetWidth;
    pane.classList.add('bell');
    setTimeout(() => pane.classList.remove('bell'), 200);
  } else if (kind === 'sound') {
    try {
      audio ??= new AudioContext();
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = 880;
      gain.gain.setValueAtTime(0.08, audio.currentTime);
      gain.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.15);
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.15);
    } catch {
      // No audio (a page without a user gesture yet, a machine without output): silent.
    }
  }
}
