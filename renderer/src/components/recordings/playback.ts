/**
 * The player's moves on a timeline, without xterm or the DOM: what to write to the terminal to get from
 * the events shown to a target time (resizes kept in order, a reset when going back), where stepping and
 * markers go, and the moment of the recording on screen. Player.svelte applies them to xterm; they are
 * here so node:test can check them.
 */
import { indexAfter, type Timeline } from './castTimeline.ts';

export const SPEEDS = [0.5, 1, 2, 4, 8, 16];
export const IDLE_LIMITS: { label: string; value: number | null }[] = [
  { label: 'off', value: null },
  { label: '0.5 s', value: 0.5 },
  { label: '1 s', value: 1 },
  { label: '2 s', value: 2 },
  { label: '5 s', value: 5 },
];
export const DEFAULT_IDLE_LIMIT = 2;

/** Text for the terminal, then (when given) a resize once xterm has parsed that text. */
export interface Write {
  data: string;
  resize?: { cols: number; rows: number };
}

/** RIS: resets the terminal; written in the stream so it stays in order with the output. */
const RESET = '\x1bc';

/**
 * The writes that bring a terminal showing events [0, applied) to timeline time `target`, and the new
 * `applied`. Going back resets the terminal to the recording's size and replays from the start.
 */
export function writesTo(tl: Timeline, applied: number, target: number): { writes: Write[]; applied: number } {
  const end = indexAfter(tl, target);
  const writes: Write[] = [];
  let from = applied;
  if (end < applied) {
    writes.push({ data: RESET, resize: { cols: tl.header.width, rows: tl.header.height } });
    from = 0;
  }
  let out = '';
  for (let i = from; i < end; i++) {
    const e = tl.events[i];
    if (e.code === 'o') out += e.data;
    else if (e.code === 'r') {
      const m = /^(\d+)x(\d+)$/.exec(e.data);
      if (m) {
        writes.push({ data: out, resize: { cols: Number(m[1]), rows: Number(m[2]) } });
        out = '';
      }
    }
  }
  if (out) writes.push({ data: out });
  return { writes, applied: end };
}

/** Output and markers are what a step lands on; resizes and input are passed over. */
const stepStop = (code: string) => code === 'o' || code === 'm';

/** The time of the next output or marker after the events shown, or undefined at the end. */
export function stepForwardTime(tl: Timeline, applied: number): number | undefined {
  let i = applied;
  while (i < tl.events.length && !stepStop(tl.events[i].code)) i++;
  return i < tl.events.length ? tl.events[i].t : undefined;
}

/** The time of the output or marker before the last one shown (0 before the first). */
export function stepBackTime(tl: Timeline, applied: number): number {
  let i = applied - 2;
  while (i >= 0 && !stepStop(tl.events[i].code)) i--;
  return i >= 0 ? tl.events[i].t : 0;
}

export function nextMarkerTime(tl: Timeline, pos: number): number | undefined {
  return tl.markers.find((m) => m.t > pos + 1e-6)?.t;
}

/** Half a second of grace, so pressing it twice goes further back rather than to the same marker. */
export function prevMarkerTime(tl: Timeline, pos: number): number {
  return tl.markers.filter((m) => m.t < pos - 0.5).at(-1)?.t ?? 0;
}

/** The moment of the recording (as written, without the idle limit) at timeline time `pos`. */
export function recordingTimeAt(tl: Timeline, applied: number, pos: number): number {
  const e = tl.events[applied - 1];
  return e ? e.orig + (pos - e.t) : pos;
}

/** The seek bar's step may round its far right below the last event: that end is the end. */
export function barTime(tl: Timeline, v: number): number {
  return v >= tl.duration - 0.011 ? tl.duration : v;
}

/** Where a player opens: the first output (a prompt, usually) rather than an empty screen. */
export function firstOutputTime(tl: Timeline): number {
  return tl.events.find((e) => e.code === 'o')?.t ?? 0;
}

/** A marker the shell's exit left ("exit 3"). */
export function isExitMarker(label: string): boolean {
  return /^exit -?\d+$/.test(label);
}

/** The player's font size for a recording that fits its box as is. */
export const BASE_FONT = 13;
/** Below this a recording is too small to read: the box scrolls instead of shrinking it further. */
export const MIN_FONT = 6;

/**
 * The font size (in half pixels) at which a terminal measured `shown` at `font` fits `box`: at most
 * BASE_FONT (a small recording is not blown up), at least MIN_FONT. Cells scale with the font, so one
 * measurement is enough for the estimate; the player still steps down while the result overflows.
 */
export function fitFontSize(font: number, shown: { width: number; height: number }, box: { width: number; height: number }): number {
  if (!(shown.width > 0 && shown.height > 0 && box.width > 0 && box.height > 0)) return font;
  const ratio = Math.min(box.width / shown.width, box.height / shown.height);
  return Math.max(MIN_FONT, Math.min(BASE_FONT, Math.floor(font * ratio * 2) / 2));
}
