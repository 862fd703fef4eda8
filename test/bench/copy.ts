/**
 * Copy: one big file and a folder of many small files, up and down, `kubedeck cp` against
 * `kubectl cp`, on the same pod. Both run as processes of their own under GNU time, so the peak
 * memory is each tool's own (ru_maxrss). Contents are checked with sha256 on both ends: the source
 * on the local disk, the copy in the container through the test cluster's root folder (or the
 * other way round), so neither tool's own check is trusted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, promises as fsp, rmSync, statSync, writeFileSync } from 'node:fs';
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
function landed(dest: string, name: string, kind: 'file' | 'dir'): string {
  if (kind === 'file') return existsSync(dest) && statSync(dest).isDirectory() ? join(dest, name) : dest;
  return existsSync(join(dest, name, 'd000')) ? join(dest, name) : dest;
}

interface Case {
  label: string;
  kind: 'file' | 'dir';
  direction: 'up' | 'down';
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
  const srcBig = await sha256File(join(local, 'big.bin'));
  const srcSmall = await manifest(join(local, 'small'));
  // The sources of downloads, placed straight into the container's root (neither tool involved).
  const remoteSrc = join(root, 'tmp', 'bench-src');
  rmSync(remoteSrc, { recursive: true, force: true });
  mkdirSync(remoteSrc, { recursive: true });
  const cp = await run('cp', ['-a', join(local, 'big.bin'), join(local, 'small'), remoteSrc]);
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

  const cases: Case[] = [
    { label: `${(sizes.bigFile / MiB).toFixed(0)} MiB file up`, kind: 'file', direction: 'up' },
    { label: `${(sizes.bigFile / MiB).toFixed(0)} MiB file down`, kind: 'file', direction: 'down' },
    { label: `${sizes.smallFiles} small files up`, kind: 'dir', direction: 'up' },
    { label: `${sizes.smallFiles} small files down`, kind: 'dir', direction: 'down' },
  ];
  const peaks: { kubedeck: number[]; kubectl: number[] } = { kubedeck: [], kubectl: [] };
  const memNotes: string[] = [];

  for (const c of cases) {
    const name = c.kind === 'file' ? 'big.bin' : 'small';
    const result: Record<'kubedeck' | 'kubectl', { seconds?: number; own?: number; ok?: boolean; why?: string }> = { kubedeck: {}, kubectl: {} };
    for (const tool of ['kubectl', 'kubedeck'] as const) {
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
      log(`copy ${c.label}: ${tool} cp`);
      try {
        let seconds: number;
        let maxRss: number | undefined;
        if (tool === 'kubectl') ({ seconds, maxRss } = await kubectlCp(target, src, dst));
        else {
          const res = await runWithPeakRss(process.execPath, [cli!, 'cp', '--kubeconfig', target.kubeconfig, '--context', target.context, '-c', target.container, src, dst], { timeoutMs: 1_800_000 });
          if (res.code !== 0) throw new Error(`kubedeck cp exited ${res.code}: ${res.stderr.trim().split('\n').slice(-2).join(' ')}`);
          ({ seconds, maxRss } = res);
          const own = res.stderr.match(/copied in ([\d.]+) s/);
          if (own) r.own = Number(own[1]);
        }
        r.seconds = seconds;
        if (maxRss) peaks[tool].push(maxRss);
        if (tool === 'kubedeck' && maxRss) memNotes.push(`${c.label} ${(maxRss / MB).toFixed(0)} MB`);
        const at = landed(checkAt, name, c.kind);
        if (c.kind === 'file') {
          const got = existsSync(at) ? await sha256File(at) : 'missing';
          r.ok = got === srcBig;
          if (!r.ok) r.why = `${tool}: the copy's sha256 differs from the source (${existsSync(at) ? `${statSync(at).size} bytes` : 'no file'})`;
        } else {
          const got = existsSync(at) ? await manifest(at) : { digest: 'missing', files: 0, bytes: 0 };
          r.ok = got.digest === srcSmall.digest;
          if (!r.ok) r.why = `${tool}: the copied folder differs (${got.files}/${srcSmall.files} files, ${got.bytes}/${srcSmall.bytes} bytes)`;
        }
      } catch (e) {
        r.why = (e as Error).message.split('\n')[0].slice(0, 300);
        log(`  ${r.why}`);
      } finally {
        rmSync(remoteParentHost, { recursive: true, force: true });
        rmSync(localParent, { recursive: true, force: true });
      }
    }
    const rate = (s?: number) => (s === undefined ? null : c.kind === 'file' ? sizes.bigFile / MiB / s : sizes.smallFiles / s);
    const kd = result.kubedeck;
    const kc = result.kubectl;
    const checks = kd.ok === undefined && kc.ok === undefined ? undefined : `sha256 equal: kubedeck ${kd.ok === undefined ? 'n/a' : kd.ok ? 'yes' : 'NO'}, kubectl ${kc.ok === undefined ? 'n/a' : kc.ok ? 'yes' : 'NO'}`;
    const extra = c.kind === 'dir' ? `${(smallBytes / MiB).toFixed(0)} MiB in ${sizes.smallFiles} files of 1 B–8 KiB, 100 folders` : undefined;
    const own = kd.own !== undefined && kd.seconds !== undefined ? `wall time of the whole command (what a user waits for): kubedeck ${kd.seconds.toFixed(1)} s, of which its transfer ${kd.own.toFixed(1)} s; kubectl ${kc.seconds?.toFixed(1) ?? 'n/a'} s` : undefined;
    const note = [checks, own, extra, kd.why, kc.why].filter(Boolean).join('; ');
    const row = vsKubectl(`copy ${c.label}`, c.kind === 'file' ? 'MiB/s' : 'files/s', rate(kd.seconds), rate(kc.seconds), 'higher', 1, note || undefined);
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
