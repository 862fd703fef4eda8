/** Light and dark themes: the choice is remembered in localStorage and applied as <html data-theme>. */
const STORAGE_KEY = 'kubedeck.theme';

export type ThemeMode = 'dark' | 'light';

function initialMode(): ThemeMode {
  try {
    const saved = localStorage.getItem(STORAGE_KEY);
    if (saved === 'dark' || saved === 'light') return saved;
  } catch {
    // Storage can be unavailable (privacy settings); the default is fine then.
  }
  // Dark by default, as terminal users mostly expect; the toggle is remembered.
  return 'dark';
}

class Theme {
  mode = $state<ThemeMode>(initialMode());

  constructor() {
    document.documentElement.dataset.theme = this.mode;
  }

  set(mode: ThemeMode): void {
    this.mode = mode;
    document.documentElement.dataset.theme = mode;
    try {
      localStorage.setItem(STORAGE_KEY, mode);
    } catch {
      // Not remembered, still applied.
    }
  }

  toggle(): void {
    this.set(this.mode === 'dark' ? 'light' : 'dark');
  }
}

export const theme = new Theme();
