/**
 * The player's model of an asciicast v2 recording, without the DOM: events on a timeline where pauses
 * longer than the idle-time limit are cut down to it, markers, and the mapping from recording time (what
 * search hits carry) to timeline time (what the seek bar shows). The file is read by the common parser
 * (common/asciicast/asciicast.ts), the same one the main side uses.
 */
import type { AsciicastHeader, ParsedCast } from '../../../../common/asciicast/asciicast.ts';

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
  /** Recording time, what the player's clock shows. */
  orig: number;
  label: string;
}

export interface Timeline {
  header: AsciicastHeader;
  events: CastEvent[];
  markers: CastMarker[];
  duration: number;
  /** The recording's own length (recording time of its last event): the clock's end. */
  recordingDuration: number;
  idleLimit: number | null;
}

/** Builds the timeline; `idleLimit` null keeps the pauses as recorded. */
export function buildTimeline(parsed: ParsedCast, idleLimit: number | null): Timeline {
  const events: CastEvent[] = [];
  const markers: CastMarker[] = [];
  let prevOrig = 0;
  let t = 0;
  for (const [orig, code, data] of parsed.events) {
    const gap = Math.max(0, orig - prevOrig);
    t += idleLimit !== null ? Math.min(gap, idleLimit) : gap;
    prevOrig = Math.max(prevOrig, orig);
    events.push({ t, orig, code, data });
    if (code === 'm') markers.push({ t, orig, label: data });
  }
  return { header: parsed.header, events, markers, duration: t, recordingDuration: prevOrig, idleLimit };
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

/**
 * The moment of the recording at timeline time `t`: what the player's clock shows, so that it says what a
 * search hit says ("@ 2:28") and what the session's own clock said, whatever the idle limit did to the bar.
 * The inverse of toTimeline at every event.
 */
export function recordingTime(tl: Timeline, t: number): number {
  const i = indexAfter(tl, t) - 1;
  if (i < 0) return t;
  const e = tl.events[i];
  return e.orig + Math.max(0, t - e.t);
}
