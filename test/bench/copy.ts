/**
 * Copy: one big file and a folder of many small files, up and down, `kubedeck cp` against
 * `kubectl cp`, on the same pod. Both run as processes of their own under GNU time, so the peak
 * memory is each tool's own (ru_maxrss). Contents are checked with sha256 on both ends: the source
 * on the local disk, the copy in the container through the test cluster's root folder (or the
 * other way round), so neither tool's own check is trusted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, promises as fsp, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Ctx } from './context.ts';
import { ensureBuild } from './serveProcess.ts';
import { kubectlCp } from './kubectl.ts';
import { log, MB, MiB, run, runWithPeakRss } from './proc.ts';
import { absolute, vsKubectl, type Row } from './report.ts';

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

/** sha256 over "relative path, size, sha256" of every regular file under `dir`, sorted. */
async function manifest(dir: string): Promise<{ digest: string; files: number; bytes: number }> {
  const lines: string[] = [];
  let bytes = 0;
  const walk = async (d: string) => {
    for (const e of await fsp.readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.isFile()) {
        const size = statSync(p).size;
        bytes += size;
        lines.push(`${relative(dir, p)}\t${size}\t${await sha256File(p)}`);
      }
    }
  };
  await walk(dir);
  lines.sort();
  return { digest: createHash('sha256').update(lines.join('\n')).digest('hex'), files: lines.length, bytes };
}

/** A copy lands at `dest`, or, if a tool nests it, at `dest/<name>`: the path to check. */
function landed(dest: string, name: string, kind: 'file' | 'dir', child: string): string {
  if (kind === 'file') return existsSync(dest) && statSync(dest).isDirectory() ? join(dest, name) : dest;
  return existsSync(join(dest, name, child)) ? join(dest, name) : dest;
}

/** The middle value (the mean of the two middle ones for an even count); undefined for none. */
function median(xs: number[]): number | undefined {
  if (!xs.length) return undefined;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

interface Case {
  label: string;
  kind: 'file' | 'dir';
  direction: 'up' | 'down';
  /** The source's name (big.bin, small, logs) and how rows count it (MiB/s, files/s). */
  name: string;
  unit: 'MiB/s' | 'files/s';
  /** The ratio to kubectl the row asks for. */
  factor: number;
}

/**
 * A folder of service logs: `bytes` of text lines in 64 MiB files, with the variety real logs have
 * (times, ids, paths, latencies), so gzip -1 shrinks them to about a fifth as it would real ones.
 * The first file is written line by line and copied for the others (gzip's window is 32 KiB, so
 * copies compress no better than the first).
 */
function writeLogs(dir: string, bytes: number): void {
  mkdirSync(dir, { recursive: true });
  const paths = ['/api/v1/items', '/api/v1/users', '/healthz', '/api/v1/orders', '/static/app.js', '/api/v1/search'];
  const levels = ['INFO', 'INFO', 'INFO', 'DEBUG', 'WARN', 'ERROR'];
  const perFile = 64 * MiB;
  let n = 0;
  for (let f = 0; f * perFile < bytes; f++) {
    const size = Math.min(perFile, bytes - f * perFile);
    const file = join(dir, `app-${String(f).padStart(2, '0')}.log`);
    if (f > 0 && size === perFile) {
      copyFileSync(join(dir, 'app-00.log'), file);
      continue;
    }
    const buf = Buffer.allocUnsafe(size + 256);
    let off = 0;
    while (off < size) {
      n++;
      const t = new Date(Date.UTC(2026, 10, 21) + n * 7).toISOString();
      const line = `${t} ${levels[n % 6]} pod/web-7d9f${(n >> 10) % 97} req=${(n * 2654435761) >>> 0} ${paths[n % 6]}/${n % 10007} status=${n % 53 ? 200 : 503} ${(n % 997) / 10}ms user=u${n % 311}\n`;
      off += buf.write(line, off, 'latin1');
    }
    writeFileSync(file, buf.subarray(0, size));
  }
}

export async function copySection(ctx: Ctx): Promise<Row[]> {
  const { sizes, target } = ctx;
  const rows: Row[] = [];
  const work = join(ctx.tmp, 'copy');
  const local = join(work, 'src');
  mkdirSync(join(local, 'small'), { recursive: true });
  const root = await ctx.clusters.rootOf(target.context, target.namespace, target.pod, target.container);

  // The data: random bytes (nothing for gzip to win), so both tools move every byte.
  log(`copy: making a ${(sizes.bigFile / MiB).toFixed(0)} MiB file and ${sizes.smallFiles} small files`);
  const gen = await run('sh', ['-c', `head -c ${sizes.bigFile} /dev/urandom > '${join(local, 'big.bin')}'`]);
  if (gen.code !== 0) throw new Error(`cannot write the test file: ${gen.stderr.trim()}`);
  let smallBytes = 0;
  for (let i = 0; i < sizes.smallFiles; i++) {
    const d = join(local, 'small', `d${String(i % 100).padStart(3, '0')}`);
    if (i < 100) mkdirSync(d, { recursive: true });
    const size = 1 + ((i * 2654435761) % 8192);
    smallBytes += size;
    writeFileSync(join(d, `f${i}.dat`), randomBytes(size));
  }
  log(`copy: making ${(sizes.logs / MiB).toFixed(0)} MiB of logs`);
  writeLogs(join(local, 'logs'), sizes.logs);
  const srcBig = await sha256File(join(local, 'big.bin'));
  const srcDirs: Record<string, Awaited<ReturnType<typeof manifest>>> = { small: await manifest(join(local, 'small')), logs: await manifest(join(local, 'logs')) };
  // The sources of downloads, placed straight into the container's root (neither tool involved).
  const remoteSrc = join(root, 'tmp', 'bench-src');
  rmSync(remoteSrc, { recursive: true, force: true });
  mkdirSync(remoteSrc, { recursive: true });
  const cp = await run('cp', ['-a', join(local, 'big.bin'), join(local, 'small'), join(local, 'logs'), remoteSrc]);
  if (cp.code !== 0) throw new Error(`cannot place the download sources: ${cp.stderr.trim()}`);

  let cli: string | undefined;
  let cliWhy: string | undefined;
  try {
    cli = await ensureBuild();
    const probe = await run(process.execPath, [cli, 'cp', '--help']);
    if (/unknown command/.test(probe.stderr)) throw new Error('`kubedeck cp` is not in the CLI yet');
  } catch (e) {
    cliWhy = (e as Error).message;
    cli = undefined;
  }

  const big = `${(sizes.bigFile / MiB).toFixed(0)} MiB`;
  const logs = `${(sizes.logs / MiB).toFixed(0)} MiB`;
  const cases: Case[] = [
    { label: `${big} file up`, kind: 'file', direction: 'up', name: 'big.bin', unit: 'MiB/s', factor: 1 },
    { label: `${big} file down`, kind: 'file', direction: 'down', name: 'big.bin', unit: 'MiB/s', factor: 1 },
    { label: `${sizes.smallFiles} small files up`, kind: 'dir', direction: 'up', name: 'small', unit: 'files/s', factor: 1 },
    { label: `${sizes.smallFiles} small files down`, kind: 'dir', direction: 'down', name: 'small', unit: 'files/s', factor: 1 },
    { label: `${logs} folder of logs up`, kind: 'dir', direction: 'up', name: 'logs', unit: 'MiB/s', factor: 2 },
    { label: `${logs} folder of logs down`, kind: 'dir', direction: 'down', name: 'logs', unit: 'MiB/s', factor: 2 },
  ];
  const peaks: { kubedeck: number[]; kubectl: number[] } = { kubedeck: [], kubectl: [] };
  const memNotes: string[] = [];

  for (const c of cases) {
    const name = c.name;
    const result: Record<'kubedeck' | 'kubectl', { seconds?: number; own?: number; ok?: boolean; why?: string; runs: number[]; owns: number[] }> = {
      kubedeck: { runs: [], owns: [] },
      kubectl: { runs: [], owns: [] },
    };
    // Side by side, the order swapped every round, so the machine's load of the moment hits both alike.
    for (let round = 0; round < ctx.repeat; round++)
    for (const tool of round % 2 ? (['kubedeck', 'kubectl'] as const) : (['kubectl', 'kubedeck'] as const)) {
      const r = result[tool];
      if (tool === 'kubedeck' && !cli) {
        r.why = cliWhy;
        continue;
      }
      // Fresh, not yet existing destinations inside an existing folder: both tools then create `name` there.
      const remoteParent = `/tmp/bench-${c.direction}-${tool}`;
      const remoteParentHost = join(root, remoteParent);
      const localParent = join(work, `${c.direction}-${tool}`);
      rmSync(remoteParentHost, { recursive: true, force: true });
      rmSync(localParent, { recursive: true, force: true });
      mkdirSync(remoteParentHost, { recursive: true });
      mkdirSync(localParent, { recursive: true });
      const remoteSpec = (p: string) => `${target.namespace}/${target.pod}:${p}`;
      const [src, dst, checkAt] =
        c.direction === 'up'
          ? [join(local, name), remoteSpec(`${remoteParent}/${name}`), join(remoteParentHost, name)]
          : [remoteSpec(`/tmp/bench-src/${name}`), join(localParent, name), join(localParent, name)];
      log(`copy ${c.label}: ${tool} cp${ctx.repeat > 1 ? ` (round ${round + 1} of ${ctx.repeat})` : ''}`);
      try {
        let seconds: number;
        let maxRss: number | undefined;
        if (tool === 'kubectl') ({ seconds, maxRss } = await kubectlCp(target, src, dst));
        else {
          const res = await runWithPeakRss(process.execPath, [cli!, 'cp', '--kubeconfig', target.kubeconfig, '--context', target.context, '-c', target.container, src, dst], { timeoutMs: 1_800_000 });
          if (res.code !== 0) throw new Error(`kubedeck cp exited ${res.code}: ${res.stderr.trim().split('\n').slice(-2).join(' ')}`);
          ({ seconds, maxRss } = res);
          const own = res.stderr.match(/copied in ([\d.]+) s/);
          if (own) r.owns.push(Number(own[1]));
        }
        r.runs.push(seconds);
        if (maxRss) peaks[tool].push(maxRss);
        if (tool === 'kubedeck' && maxRss) memNotes.push(`${c.label} ${(maxRss / MB).toFixed(0)} MB`);
        const at = landed(checkAt, name, c.kind, name === 'small' ? 'd000' : 'app-00.log');
        if (c.kind === 'file') {
          const got = existsSync(at) ? await sha256File(at) : 'missing';
          r.ok = got === srcBig && r.ok !== false;
          if (!r.ok) r.why = `${tool}: the copy's sha256 differs from the source (${existsSync(at) ? `${statSync(at).size} bytes` : 'no file'})`;
        } else {
          const got = existsSync(at) ? await manifest(at) : { digest: 'missing', files: 0, bytes: 0 };
          const want = srcDirs[name];
          r.ok = got.digest === want.digest && r.ok !== false;
          if (!r.ok) r.why = `${tool}: the copied folder differs (${got.files}/${want.files} files, ${got.bytes}/${want.bytes} bytes)`;
        }
      } catch (e) {
        r.why = (e as Error).message.split('\n')[0].slice(0, 300);
        log(`  ${r.why}`);
      } finally {
        rmSync(remoteParentHost, { recursive: true, force: true });
        rmSync(localParent, { recursive: true, force: true });
      }
    }
    for (const r of Object.values(result)) {
      r.seconds = median(r.runs);
      r.own = median(r.owns);
    }
    const bytes = name === 'big.bin' ? sizes.bigFile : sizes.logs;
    const rate = (s?: number) => (s === undefined ? null : c.unit === 'MiB/s' ? bytes / MiB / s : sizes.smallFiles / s);
    const kd = result.kubedeck;
    const kc = result.kubectl;
    const checks = kd.ok === undefined && kc.ok === undefined ? undefined : `sha256 equal: kubedeck ${kd.ok === undefined ? 'n/a' : kd.ok ? 'yes' : 'NO'}, kubectl ${kc.ok === undefined ? 'n/a' : kc.ok ? 'yes' : 'NO'}`;
    const extra =
      name === 'small' ? `${(smallBytes / MiB).toFixed(0)} MiB in ${sizes.smallFiles} files of 1 B–8 KiB, 100 folders` : name === 'logs' ? `${srcDirs.logs.files} log files of text (gzip -1 shrinks them to about a fifth)` : undefined;
    const each = (xs: number[]) => (xs.length > 1 ? ` (runs: ${xs.map((x) => x.toFixed(1)).join(', ')} s)` : '');
    const own =
      kd.own !== undefined && kd.seconds !== undefined
        ? `${ctx.repeat > 1 ? `median of ${ctx.repeat} rounds; ` : ''}wall time of the whole command (what a user waits for): kubedeck ${kd.seconds.toFixed(1)} s${each(kd.runs)}, of which its transfer ${kd.own.toFixed(1)} s; kubectl ${kc.seconds?.toFixed(1) ?? 'n/a'} s${each(kc.runs)}`
        : undefined;
    const note = [checks, own, extra, kd.why, kc.why].filter(Boolean).join('; ');
    const row = vsKubectl(`copy ${c.label}`, c.unit, rate(kd.seconds), rate(kc.seconds), 'higher', c.factor, note || undefined);
    // A wrong copy is a failure, however fast.
    if (kd.ok === false) row.pass = false;
    rows.push(row);
  }
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) / MB : null);
  rows.push(absolute('copy: peak memory of the Kubedeck process', 'MB', max(peaks.kubedeck), max(peaks.kubectl), { below: 250 }, memNotes.length ? `peak RSS (GNU time) per copy: ${memNotes.join(', ')}; kubectl column: kubectl's own peak` : cliWhy));
  rmSync(remoteSrc, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
  return rows;
}
