/**
 * What every benchmark section gets: the sizes of this run (full or --quick), the test clusters and the
 * pod they measure on, the clients that started and why the others did not. A section reports a missing
 * client as n/a with that reason rather than failing, so one broken path never hides the other numbers.
 */
import type { launchChromium } from './browser.ts';
import type { Clusters } from './cluster.ts';
import type { CoreClient } from './core.ts';
import type { E2eResults } from './e2e.ts';
import type { Target } from './kubectl.ts';
import { MiB } from './proc.ts';
import type { Where } from './terminalProbe.ts';

export interface Sizes {
  /** Bytes the tty exec writes for the throughput test. */
  ttyBytes: number;
  keys: number;
  prompts: number;
  bigFile: number;
  smallFiles: number;
  /** Bytes of the folder of compressible logs (the copy row where gzip must pay). */
  logs: number;
  terminals: number;
  floodKeys: number;
  /** Time budget of the browser throughput runs (WebGL on a CPU can't do 256 MiB in minutes). */
  budgetMs: number;
  /** The SSH rows: the file SFTP gets and puts (--sftp-mib), and what `ssh host cat` reads. */
  sftpFile: number;
  sshCat: number;
}

export const FULL: Sizes = { ttyBytes: 256 * MiB, keys: 500, prompts: 20, bigFile: 1024 * MiB, smallFiles: 20_000, logs: 1024 * MiB, terminals: 50, floodKeys: 200, budgetMs: 120_000, sftpFile: 1024 * MiB, sshCat: 256 * MiB };
export const QUICK: Sizes = { ttyBytes: 32 * MiB, keys: 100, prompts: 5, bigFile: 64 * MiB, smallFiles: 2_000, logs: 64 * MiB, terminals: 10, floodKeys: 100, budgetMs: 30_000, sftpFile: 64 * MiB, sshCat: 32 * MiB };

export interface Ctx {
  sizes: Sizes;
  quick: boolean;
  /** Rounds of each copy (side by side, medians reported). */
  repeat: number;
  tmp: string;
  clusters: Clusters;
  target: Target;
  where: Where;
  core?: CoreClient;
  coreWhy?: string;
  /** Block WebGL in the page (the app then uses xterm's DOM renderer). */
  domRenderer: boolean;
  e2e?: E2eResults;
  e2eWhy?: string;
  xtermRenderer?: string;
  browser: () => ReturnType<typeof launchChromium>;
  startKubectlFlood: () => () => Promise<void>;
}
