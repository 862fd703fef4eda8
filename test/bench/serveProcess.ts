/**
 * The product as the bench runs it: the CLI and the renderer bundled once per run, `kubedeck serve`
 * started from that bundle in its own process (as a user runs it), and the common wire client bundled
 * for the bench's own code in a page.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { log, run } from './proc.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OUT = join(ROOT, '.tmp', 'bench-dist');

function newestMtime(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The product's own bundles, built into .tmp/bench-dist (the layout of dist/: cli/cli.js beside
 * renderer/) so the bench never empties the dist/ that other people's tests are serving from.
 * Rebuilt only when a source is newer than the last build.
 */
let built: Promise<string> | undefined;

export function ensureBuild(): Promise<string> {
  // Once per run: every measurement uses the same bundles even if sources change meanwhile.
  built ??= buildOnce();
  return built;
}

async function buildOnce(): Promise<string> {
  const cli = join(OUT, 'cli', 'cli.js');
  const index = join(OUT, 'renderer', 'index.html');
  const sources = Math.max(...['common', 'main', 'preload', 'renderer'].map((d) => newestMtime(join(ROOT, d))));
  if (existsSync(cli) && existsSync(index) && statSync(cli).mtimeMs > sources && statSync(index).mtimeMs > sources) return cli;
  log('building the CLI and the renderer into .tmp/bench-dist');
  mkdirSync(OUT, { recursive: true });
  // The same options as build/bundle.mjs for the CLI.
  await build({
    bundle: true,
    platform: 'node',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    entryPoints: [join(ROOT, 'main/cli/cli.ts')],
    outdir: join(OUT, 'cli'),
    format: 'esm',
    splitting: true,
    external: ['bufferutil', 'utf-8-validate', 'cpu-features', 'ssh2'],
    banner: { js: "import { createRequire as __kdRequire } from 'node:module'; const require = __kdRequire(import.meta.url);" },
  });
  const vite = await run(join(ROOT, 'node_modules/.bin/vite'), ['build', '--config', 'renderer/vite.config.ts', '--outDir', join(OUT, 'renderer'), '--emptyOutDir', '--logLevel', 'warn'], { cwd: ROOT, timeoutMs: 300_000 });
  if (vite.code !== 0) throw new Error(`vite build failed: ${vite.stderr.trim().split('\n').slice(-3).join(' ')}`);
  return cli;
}

/** `node cli.js serve --port 0 --kubeconfig F`; resolves with the URL it prints. */
export async function startServe(cli: string, kubeconfig: string, dataDir: string): Promise<{ child: ChildProcess; url: string }> {
  mkdirSync(dataDir, { recursive: true });
  // BENCH_SERVE_ENTRY: a TypeScript entry to run instead of the bundle (for experiments with the server side).
  const entry = process.env.BENCH_SERVE_ENTRY;
  // BENCH_SERVE_NODE_ARGS: Node flags for the serve process, e.g. `--cpu-prof --cpu-prof-dir=DIR` (written when it exits).
  const nodeArgs = (process.env.BENCH_SERVE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const argv = [...nodeArgs, ...(entry ? ['--import', 'tsx', entry] : [cli])];
  const child = spawn(process.execPath, [...argv, 'serve', '--port', '0', '--kubeconfig', kubeconfig], {
    cwd: ROOT,
    env: { ...process.env, KUBEDECK_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kubedeck serve printed no URL within 30 s: ${err.trim()}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(/https?:\/\/\S+\?token=\S+/);
      if (m) {
        clearTimeout(timer);
        resolve(m[0]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubedeck serve exited with ${code}: ${err.trim()}`));
    });
  });
  return { child, url };
}

let pageWire: Promise<string> | undefined;

/** The script that gives a page `__kdWire` (test/bench/pageWire.ts), for an init script. */
export function pageWireScript(): Promise<string> {
  pageWire ??= build({
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'warning',
    entryPoints: [join(ROOT, 'test/bench/pageWire.ts')],
  }).then((r) => r.outputFiles[0].text);
  return pageWire;
}
