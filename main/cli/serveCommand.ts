/** `kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T]`: the UI for a browser. */
import { Kubedeck, type FilesFactory } from '../core/kubedeck.ts';
import { isLoopback } from '../serve/auth.ts';
import { startServer, type ServeHandle } from '../serve/server.ts';
import { parseCommand, UsageError } from './args.ts';

export const SERVE_USAGE = 'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T]';

export interface ServeArgs {
  port: number;
  host: string;
  kubeconfig?: string;
  token?: string;
}

const SERVE_OPTIONS = {
  port: { type: 'string', short: 'p' },
  host: { type: 'string' },
  kubeconfig: { type: 'string' },
  token: { type: 'string' },
} as const;

/** Parses serve's arguments; throws a UsageError for anything unknown or malformed. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const { values } = parseCommand(argv, { options: SERVE_OPTIONS, usage: SERVE_USAGE, positionals: false, quote: (a) => JSON.stringify(a) });
  const out: ServeArgs = { port: 0, host: values.host ?? '127.0.0.1' };
  if (values.port !== undefined) {
    const n = Number(values.port);
    if (!/^\d+$/.test(values.port) || n > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not ${JSON.stringify(values.port)}`, SERVE_USAGE);
    out.port = n;
  }
  if (values.kubeconfig !== undefined) out.kubeconfig = values.kubeconfig;
  if (values.token !== undefined) {
    if (values.token.length < 16) throw new UsageError('--token must be at least 16 characters', SERVE_USAGE);
    out.token = values.token;
  }
  return out;
}

export interface RunningServe {
  kubedeck: Kubedeck;
  server: ServeHandle;
  stop(): Promise<void>;
}

/** Starts Kubedeck and its server (used by the CLI and by `npm run demo`). */
export async function startServe(args: ServeArgs, extra: { files?: FilesFactory; dataDir?: string; log?: (s: string) => void } = {}): Promise<RunningServe> {
  const kubedeck = new Kubedeck({ kubeconfig: args.kubeconfig, files: extra.files, dataDir: extra.dataDir });
  let server: ServeHandle;
  try {
    server = await startServer({ kubedeck, port: args.port, host: args.host, token: args.token, log: extra.log });
  } catch (err) {
    await kubedeck.shutdown();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE') throw new Error(`port ${args.port} is in use; pick another with --port`, { cause: err });
    throw err;
  }
  return {
    kubedeck,
    server,
    stop: async () => {
      await server.close();
      await kubedeck.shutdown();
    },
  };
}

/** The CLI entry: prints the URL, runs until SIGINT/SIGTERM, then ends every session cleanly. Bad arguments throw a UsageError. */
export async function runServe(argv: string[], extra: { files?: FilesFactory } = {}): Promise<void> {
  const args = parseServeArgs(argv);
  const running = await startServe(args, { ...extra, log: (s) => console.error(`kubedeck: ${s}`) });
  const { clusters, problems } = running.kubedeck.registry.listClusters();
  if (!isLoopback(args.host)) {
    console.error(`kubedeck: WARNING: listening on ${args.host}, not loopback: anyone who can reach this port and learns the token gets your clusters.`);
  }
  console.error(`kubedeck: ${clusters.length} context(s) loaded${problems.length ? `, ${problems.length} kubeconfig problem(s):` : ''}`);
  for (const p of problems) console.error(`  ${p.source}: ${p.reason}`);
  console.log(`Kubedeck is serving. Open:\n\n  ${running.server.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    console.error('kubedeck: closing sessions…');
    void running.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
