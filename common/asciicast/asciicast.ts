/**
 * asciicast v2 (https://docs.asciinema.org/manual/asciicast/v2/): a JSON header line, then one JSON array per
 * event `[time, code, data]`; codes `o` output, `i` input, `r` resize ("COLSxROWS"), `m` marker.
 * v2 has no exit event (v3's `x` would make asciinema 2.x refuse the file), so Kubedeck ends a recording
 * with a marker labelled `exit N` and keeps the code in a sidecar too (see main/core/recordings/recorder.ts).
 *
 * The one reader of the format: the recorder and the store on the main side, the player in the renderer.
 * Plain language only, so both sides run the same code.
 */

export interface KubedeckHeaderFields {
  context: string;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
}

export interface AsciicastHeader {
  version: 2;
  width: number;
  height: number;
  /** Unix seconds of the start; Kubedeck always writes it. */
  timestamp: number;
  title?: string;
  env?: { TERM?: string; SHELL?: string };
  kubedeck?: KubedeckHeaderFields;
}

export type AsciicastEvent = [time: number, code: 'o' | 'i' | 'r' | 'm' | string, data: string];

/** The label of the marker that ends a Kubedeck recording; group 1 is the exit code. */
export const EXIT_MARKER = /^exit (-?\d+)$/;

function headerOf(value: unknown): AsciicastHeader | undefined {
  const h = value as Partial<AsciicastHeader> | null;
  return h && h.version === 2 && typeof h.width === 'number' && typeof h.height === 'number' ? (h as AsciicastHeader) : undefined;
}

function eventOf(value: unknown): AsciicastEvent | undefined {
  return Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string' && typeof value[2] === 'string'
    ? [value[0], value[1], value[2]]
    : undefined;
}

/** Parses the header line; undefined for anything that is not an asciicast v2 header. */
export function parseHeader(line: string): AsciicastHeader | undefined {
  try {
    return headerOf(JSON.parse(line));
  } catch {
    return undefined;
  }
}

/** Parses one event line; undefined for anything that is not a well-formed event. */
export function parseEvent(line: string): AsciicastEvent | undefined {
  // Cheap refusal first: the store scans whole files line by line.
  if (!line.startsWith('[')) return undefined;
  try {
    return eventOf(JSON.parse(line));
  } catch {
    // a torn last line (the app was killed mid-write) is simply not an event
    return undefined;
  }
}

export interface ParsedCast {
  header: AsciicastHeader;
  events: AsciicastEvent[];
}

/**
 * Parses a whole recording. A torn last line (the app was killed mid-write) is skipped, lines that are valid
 * JSON but not events are ignored (the format allows extensions); anything else malformed is an error whose
 * message says what and where, for the player to show.
 */
export function parseCast(text: string): ParsedCast {
  const lines = text.split('\n');
  let first: unknown;
  try {
    first = JSON.parse(lines[0]);
  } catch {
    throw new Error('not an asciicast file: the first line is not a JSON header');
  }
  const version = (first as { version?: unknown } | null)?.version;
  if (version !== 2) throw new Error(`unsupported asciicast version ${String(version)} (2 is supported)`);
  const header = headerOf(first);
  if (!header) throw new Error('not an asciicast file: the header has no width and height');
  const events: AsciicastEvent[] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (!line.trim()) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      if (lines.slice(i + 1).some((l) => l.trim())) throw new Error(`line ${i + 1} is not valid JSON`);
      continue;
    }
    const e = eventOf(value);
    if (e) events.push(e);
  }
  return { header, events };
}
