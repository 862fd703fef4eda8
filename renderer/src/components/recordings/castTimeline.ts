/**
 * The player's model of an asciicast v2 recording, without the DOM: events on a timeline where pauses
 * longer than the idle-time limit are cut down to it, markers, and the mapping from recording time (what
 * search hits carry) to timeline time (what the seek bar shows).
 */

export interface CastHeader {
  version: number;
  width: number;
  height: number;
  timestamp?: number;
  title?: string;
  kubedeck?: { context: string; namespace: string; pod: string; container: string; command: string[] };
}

export interface CastEvent {
  /** Timeline time (seconds, idle limit applied). */
  t: number;
  /** Time in the recording as written. */
  orig: number;
  code: string;
  data: string;
}

export interface CastMarker {
  t: number;
  label: string;
}

export interface Timeline {
  header: CastHeader;
  events: CastEvent[];
  markers: CastMarker[];
  duration: number;
  idleLimit: number | null;
}

/** Parses asciicast v2 text; a torn last line is skipped, anything else malformed is an error. */
export function parseCast(text: string): { header: CastHeader; events: [number, string, string][] } {
  const lines = text.split('\n');
  let header: CastHeader;
  try {
    header = JSON.parse(lines[0]) as CastHeader;
  } catch {
    throw new Error('not an asciicast file: the first line is not a JSON header');
  }
  if (header?.version !== 2) throw new Error(`unsupported asciicast version ${String(header?.version)} (2 is supported)`);
  const events: [number, string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    try {
      const e = JSON.parse(line) as unknown;
      if (Array.isArray(e) && typeof e[0] === 'number' && typeof e[1] === 'string' && typeof e[2] === 'string') {
        events.push([e[0], e[1], e[2]]);
      }
    } catch {
      if (i < lines.length - 1 && lines.slice(i + 1).some((l) => l.trim())) throw new Error(`line ${i + 1} is not valid JSON`);
    }
  }
  return { header, events };
}

/** Builds the timeline; `idleLimit` null keeps the pauses as recorded. */
export function buildTimeline(parsed: ReturnType<typeof parseCast>, idleLimit: number | null): Timeline {
  const events: CastEvent[] = [];
  const markers: CastMarker[] = [];
  let prevOrig = 0;
  let t = 0;
  for (const [orig, code, data] of parsed.events) {
    const gap = Math.max(0, orig - prevOrig);
    t += idleLimit !== null ? Math.min(gap, idleLimit) : gap;
    prevOrig = Math.max(prevOrig, orig);
    events.push({ t, orig, code, data });
    if (code === 'm') markers.push({ t, label: data });
  }
  return { header: parsed.header, events, markers, duration: t, idleLimit };
}

/** Timeline time of a moment given in recording time (a search hit). */
export function toTimeline(tl: Timeline, orig: number): number {
  let lo = 0;
  let hi = tl.events.length - 1;
  let best = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (tl.events[mid].orig <= orig) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (best < 0) return Math.min(orig, tl.idleLimit ?? orig);
  const e = tl.events[best];
  const rest = orig - e.orig;
  return Math.min(tl.duration, e.t + (tl.idleLimit !== null ? Math.min(rest, tl.idleLimit) : rest));
}

/** Index of the first event after timeline time `t` (events at exactly `t` count as shown). */
export function indexAfter(tl: Timeline, t: number): number {
  let lo = 0;
  let hi = tl.events.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (tl.events[mid].t <= t + 1e-9) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** "m:ss" (or "h:mm:ss") for a number of seconds. */
export function formatTime(s: number): string {
  const total = Math.max(0, Math.floor(s));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = String(total % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** "12.3 MB" style sizes. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}
