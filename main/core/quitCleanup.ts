/**
 * Quit-time cleanup, kept out of main/app so it runs (and is tested) under plain Node, as Headlamp's
 * quitCleanup.ts does. The first quit is held back until every terminal has ended its remote shell;
 * then quit is asked again and goes through. A hung cluster can't hold the app open: after
 * `timeoutMs` it quits anyway.
 */

/** The part of Electron's before-quit event we need. */
export interface BeforeQuitEvent {
  preventDefault(): void;
}

export interface QuitCleanupOptions {
  /** Ends everything (Kubedeck.shutdown). */
  cleanup: () => Promise<void>;
  /** Asks the app to quit again (app.quit). */
  quit: () => void;
  timeoutMs?: number;
}

/** Returns a before-quit handler. */
export function createQuitHandler(opts: QuitCleanupOptions): (event: BeforeQuitEvent) => void {
  let state: 'running' | 'cleaning' | 'done' = 'running';
  return (event) => {
    if (state === 'done') return;
    event.preventDefault();
    if (state === 'cleaning') return;
    state = 'cleaning';
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, opts.timeoutMs ?? 10_000);
    });
    void Promise.race([opts.cleanup().catch(() => undefined), timeout]).then(() => {
      clearTimeout(timer);
      state = 'done';
      opts.quit();
    });
  };
}
