/**
 * Settings and the data folder. Everything Kubedeck keeps lives under KUBEDECK_DATA_DIR
 * (default: the platform's app-data folder + /kubedeck), so tests and portable installs can move it.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

/** $KUBEDECK_DATA_DIR, else ~/.config/kubedeck (Linux), ~/Library/Application Support/kubedeck, %APPDATA%\kubedeck. */
export function dataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.KUBEDECK_DATA_DIR) return env.KUBEDECK_DATA_DIR;
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'kubedeck');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'kubedeck');
  return join(env.XDG_CONFIG_HOME || join(home, '.config'), 'kubedeck');
}

export interface SettingsOptions {
  /** Read only (a CLI that must not change the app's files): a bad file stays where it is, set() throws. */
  readOnly?: boolean;
}

/**
 * A small JSON settings file. Reads once; every change is written whole to a temp file and renamed
 * over the old one, so a crash never leaves half a file.
 */
export class SettingsStore {
  private values: Record<string, unknown> = {};
  /** Why the file could not be read, if it could not (the app then starts from defaults, keeping the bad file). */
  readonly loadProblem?: string;

  /** The settings of a data folder (see dataDir): the one file the app and the CLI share. */
  static inDataDir(dir: string, opts: SettingsOptions = {}): SettingsStore {
    return new SettingsStore(join(dir, 'settings.json'), opts);
  }

  constructor(
    readonly file: string,
    private readonly opts: SettingsOptions = {},
  ) {
    try {
      const parsed = JSON.parse(readFileSync(file, 'utf8')) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) this.values = parsed as Record<string, unknown>;
      else this.loadProblem = `${file}: not a JSON object`;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') this.loadProblem = `${file}: ${e.message}`;
    }
    if (this.loadProblem && !opts.readOnly) {
      // Keep the unreadable file for the user instead of overwriting it with defaults.
      try {
        renameSync(file, `${file}.broken-${Date.now()}`);
      } catch {
        // ignore
      }
    }
  }

  get<T>(key: string, fallback: T): T {
    return key in this.values ? (this.values[key] as T) : fallback;
  }

  set(key: string, value: unknown): void {
    this.setMany({ [key]: value });
  }

  /** Several keys in one write (a settings form's change is one file write, not one per field). */
  setMany(values: Record<string, unknown>): void {
    if (this.opts.readOnly) throw new Error(`${this.file} is open read-only`);
    Object.assign(this.values, values);
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.values, null, 2) + '\n', { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}

/** Symlinks inside a download are created only when the user turned this on (off: skipped and reported). */
export const FILES_KEEP_SYMLINKS = 'files.keepSymlinks';

/** The download symlink mode a settings file asks for: 'create' only for an explicit `true`. */
export function symlinkMode(settings: Pick<SettingsStore, 'get'> | undefined): 'skip' | 'create' {
  return settings?.get<unknown>(FILES_KEEP_SYMLINKS, false) === true ? 'create' : 'skip';
}
