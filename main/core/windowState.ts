/**
 * The desktop window's size and position, remembered in the data folder (window-state.json) and clamped to a
 * display that is there now: a window saved on a monitor since unplugged, or larger than the screen it
 * comes back on, opens where the user can see and grab it. main/app reads the displays from Electron's
 * `screen` and passes them in; nothing here needs Electron.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  /** The window's normal (not maximized, not full-screen) bounds; x and y absent: let the system place it. */
  bounds: { x?: number; y?: number; width: number; height: number };
  maximized: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { bounds: { width: 1280, height: 800 }, maximized: false };
/** Smaller than this is not a usable console (and a saved 0×0 would be an invisible window). */
export const MIN_SIZE = { width: 640, height: 400 };
export const WINDOW_STATE_FILE = 'window-state.json';

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The saved state, or undefined when the file is missing or not one we wrote (the default is used then). */
export function parseWindowState(text: string): WindowState | undefined {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return undefined;
  }
  const o = v as { bounds?: Record<string, unknown>; maximized?: unknown } | null;
  const b = o?.bounds;
  if (!b || !finite(b.width) || !finite(b.height)) return undefined;
  const bounds: WindowState['bounds'] = { width: Math.round(b.width), height: Math.round(b.height) };
  if (finite(b.x) && finite(b.y)) Object.assign(bounds, { x: Math.round(b.x), y: Math.round(b.y) });
  return { bounds, maximized: o?.maximized === true };
}

const overlap = (a: Rect, b: Rect) => Math.max(0, Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x)) * Math.max(0, Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y));

/**
 * Fits saved bounds to the displays' work areas (the first is the primary): the window goes on the display it
 * overlaps most, shrunk to fit it and moved wholly inside it; off every display (a monitor unplugged) it is
 * centred on the primary. Without a saved position only the size is fitted, and the system places the window.
 */
export function clampToDisplays(bounds: WindowState['bounds'], workAreas: Rect[]): WindowState['bounds'] {
  if (!workAreas.length) return bounds;
  const positioned = finite(bounds.x) && finite(bounds.y);
  const rect: Rect = { x: bounds.x ?? 0, y: bounds.y ?? 0, width: bounds.width, height: bounds.height };
  let area = workAreas[0];
  let best = 0;
  if (positioned) {
    for (const a of workAreas) {
      const o = overlap(rect, a);
      if (o > best) [best, area] = [o, a];
    }
  }
  const width = Math.max(Math.min(MIN_SIZE.width, area.width), Math.min(rect.width, area.width));
  const height = Math.max(Math.min(MIN_SIZE.height, area.height), Math.min(rect.height, area.height));
  if (!positioned) return { width, height };
  if (best === 0) return { x: area.x + Math.round((area.width - width) / 2), y: area.y + Math.round((area.height - height) / 2), width, height };
  const x = Math.min(Math.max(rect.x, area.x), area.x + area.width - width);
  const y = Math.min(Math.max(rect.y, area.y), area.y + area.height - height);
  return { x, y, width, height };
}

/** The state a new window opens with: the saved one fitted to the displays, or the default. */
export async function loadWindowState(dataDir: string, workAreas: Rect[]): Promise<WindowState> {
  const text = await readFile(path.join(dataDir, WINDOW_STATE_FILE), 'utf8').catch(() => undefined);
  const saved = (text !== undefined && parseWindowState(text)) || DEFAULT_WINDOW_STATE;
  return { bounds: clampToDisplays(saved.bounds, workAreas), maximized: saved.maximized };
}

/**
 * Writes the state, synchronously: it is called as a window closes, also the last one on quit, after which
 * the process may end before an asynchronous write would land (a few hundred bytes). Through a temporary
 * file and a rename, so a crash mid-write leaves the old one.
 */
export function saveWindowState(dataDir: string, state: WindowState): void {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, WINDOW_STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state) + '\n');
  renameSync(tmp, file);
}
