/**
 * The terminal settings in the page (common/contract/settings.ts): main holds them; this store reads them at
 * start and after a reconnect, takes every `settings.changed` (a change made in another page or window), and
 * sends the user's changes, applied when main has taken them (it checks them; a refusal says why and
 * changes nothing). The last settings seen are kept in localStorage only so a reload draws its first frame right.
 */
import { DEFAULT_TERMINAL_SETTINGS, type TerminalSettings } from '../../../common/contract/settings.ts';
import { splitCommand } from '../../../common/commandLine.ts';
import { api, connection } from './api.ts';

const CACHE_KEY = 'kubedeck.terminalSettings';

function cached(): TerminalSettings {
  try {
    const v = JSON.parse(localStorage.getItem(CACHE_KEY) ?? 'null') as Partial<TerminalSettings> | null;
    // Only a first guess: main's answer replaces it moments later, field by field checked there.
    if (v && typeof v === 'object' && !Array.isArray(v)) return { ...DEFAULT_TERMINAL_SETTINGS, ...v };
  } catch {
    // Storage unavailable or unreadable: the defaults until main answers.
  }
  return structuredClone(DEFAULT_TERMINAL_SETTINGS);
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

class Settings {
  terminal = $state<TerminalSettings>(cached());
  /** Whether main's settings have arrived (a share-link guest never gets them and keeps the defaults). */
  loaded = $state(false);
  /** The Settings view is open. */
  open = $state(false);
  private started = false;

  /** Reads the settings and follows their changes; called once by the app (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    api.on('settings.changed', ({ terminal }) => this.take(terminal));
    connection.onChange((s) => {
      if (s.state === 'connected') void this.reload();
    });
    void this.reload();
  }

  private async reload(): Promise<void> {
    try {
      this.take(await api.getTerminalSettings());
    } catch {
      // Not allowed (a share-link guest) or not connected yet: the connection's next change tries again.
    }
  }

  private take(s: TerminalSettings): void {
    this.terminal = s;
    this.loaded = true;
    try {
      localStorage.setItem(CACHE_KEY, JSON.stringify(s));
    } catch {
      // Not cached: the next reload waits for main's answer.
    }
  }

  /** Changes some fields; resolves with the reason when main refused (nothing changed then), else undefined. */
  async update(change: Partial<TerminalSettings>): Promise<string | undefined> {
    try {
      this.take(await api.setTerminalSettings(change));
      return undefined;
    } catch (err) {
      return message(err);
    }
  }

  private queue: Promise<unknown> = Promise.resolve();

  /** A change worked out from the settings as they are once the changes before it are answered (two quick zoom steps add up). */
  adjust(fn: (s: TerminalSettings) => Partial<TerminalSettings>): Promise<string | undefined> {
    const run = this.queue.then(() => this.update(fn(this.terminal)));
    this.queue = run;
    return run;
  }

  /** The command a new tab runs: the shell command setting as words, or undefined for the best shell. */
  shellCommand(): string[] | undefined {
    const words = splitCommand(this.terminal.shellCommand.trim());
    return words && words.length ? words : undefined;
  }
}

export const settings = new Settings();
