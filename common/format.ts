/**
 * How Kubedeck writes sizes, rates, durations and times for people: in the views, in the CLI's progress
 * line, anywhere a number meets a reader. One module so every place says the same thing: sizes are in
 * IEC units (KiB, MiB, GiB: powers of 1024, which is what the byte counts are), never "MB" for a MiB.
 */

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** What formatBytes shows of `v` in unit `i`: whole bytes, one decimal below 10 of a larger unit, else none. */
const shown = (v: number, i: number) => (i === 0 ? Math.round(v) : Number(v.toFixed(Math.abs(v) < 10 ? 1 : 0)));

/** "512 B", "1.5 KiB", "300 MiB": one decimal below 10, none above; empty for a number that is not one. */
export function formatBytes(n: number): string {
  if (!Number.isFinite(n)) return '';
  let v = n;
  let i = 0;
  // Judged on the shown value, so 1023.96 KiB reads "1.0 MiB", not "1024 KiB".
  while (Math.abs(shown(v, i)) >= 1024 && i < UNITS.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? shown(v, 0) : v.toFixed(Math.abs(v) < 10 ? 1 : 0)} ${UNITS[i]}`;
}

/** A transfer rate, from bytes per second: "12 MiB/s". */
export function formatRate(bytesPerSecond: number): string {
  const b = formatBytes(bytesPerSecond);
  return b && `${b}/s`;
}

/** A length of time in words, for an ETA or an age: "45 s", "2 min 5 s", "1 h 3 min"; empty when unknown. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${s % 60} s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

const pad2 = (x: number) => String(x).padStart(2, '0');

/** A position on a player's clock: "m:ss", or "h:mm:ss" from an hour on. */
export function formatClock(seconds: number): string {
  const total = Math.max(0, Math.floor(seconds));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  return h ? `${h}:${pad2(m)}:${pad2(total % 60)}` : `${m}:${pad2(total % 60)}`;
}

/**
 * A moment in local time, "2026-03-01 14:05" (or "14:05:09" with seconds): sortable and the same in every
 * locale, so a table of them reads down. Empty for an unparseable time.
 */
export function formatTimestamp(time: string | number, opts: { seconds?: boolean } = {}): string {
  const d = new Date(time);
  if (Number.isNaN(d.getTime())) return '';
  const hm = `${pad2(d.getHours())}:${pad2(d.getMinutes())}${opts.seconds ? `:${pad2(d.getSeconds())}` : ''}`;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${hm}`;
}
