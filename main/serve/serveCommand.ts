/** `kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T]`: the UI for a browser. */
import { Kubedeck, type FilesFactory } from '../core/kubedeck.ts';
import { isLoopback } from './auth.ts';
import { startServer, type ServeHandle } from './server.ts';

export const SERVE_USAGE = 'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T]';

export interface ServeArgs {
  port: number;
  host: string;
  kubeconfig?: string;
  token?: string;
}

/** Parses serve's arguments; throws a clear error for anything unknown or malformed. */
export function parseServeArgs(argv: string[]): ServeArgs {
  const out: ServeArgs = { port: 0, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    let arg = argv[i];
    let value: string | undefined;
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0) {
      value = arg.slice(eq + 1);
      arg = arg.slice(0, eq);
    }
    const next = (): string => {
      const v = value ?? argv[++i];
      if (v === undefined || v === '') throw new Error(`${arg} needs a value\n${SERVE_USAGE}`);
      return v;
    };
    switch (arg) {
      case '--port':
      case '-p': {
        const v = next();
        const n = Number(v);
        if (!/^\d+$/.test(v) || n > 65535) throw new Error(`--port must be a number from 0 to 65535, not ${JSON.stringify(v)}`);
        out.port = n;
        break;
      }
      case '--host':
        out.host = next();
        break;
      case '--kubeconfig':
        out.kubeconfig = next();
        break;
      case '--token':
        out.token = next();
        if (out.token.length < 16) throw new Error('--token must be at least 16 characters');
        break;
      case '-h':
      case '--help':
        throw new Error(SERVE_USAGE);
      default:
        throw new Error(`unknown option ${JSON.stringify(argv[i])}\n${SERVE_USAGE}`);
    }
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

/** The CLI entry: prints the URL, runs until SIGINT/SIGTERM, then ends every session cleanly. */
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
