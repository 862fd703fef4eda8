// Container images of the test double: real root filesystems made from host binaries (plus their shared libraries)
// or from busybox-static. Each container gets its own root (hard links into the image), used through chroot.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, realpathSync } from 'node:fs';
import { chmod, copyFile, mkdir, readlink, rm, symlink, writeFile, lstat } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type ImageKind = 'full' | 'busybox' | 'notar' | 'distroless';
export const IMAGE_KINDS: ImageKind[] = ['full', 'busybox', 'notar', 'distroless'];

/** Image names shown in pod specs. */
export const IMAGE_NAMES: Record<ImageKind, string> = {
  full: 'docker.io/library/debian:bookworm',
  busybox: 'docker.io/library/busybox:1.36',
  notar: 'registry.example/kubedeck/notar:1',
  distroless: 'gcr.io/distroless/static-debian12:nonroot',
};

const FULL_PACKAGES = ['coreutils', 'bash', 'dash', 'tar', 'gzip', 'findutils', 'grep', 'sed', 'procps', 'less',
  'ncurses-bin', 'hostname', 'debianutils', 'diffutils'];
const BUSYBOX = '/bin/busybox';
/**
 * The full image also has OpenSSH's sftp-server and scp when this machine does (the SSH gateway runs an
 * image's own sftp-server; legacy `scp -O` needs scp in the image). notar goes without sftp-server, so
 * the gateway's own SFTP is tested on a coreutils image as well as on busybox.
 */
const SSH_EXTRAS = ['/usr/lib/openssh/sftp-server', '/usr/bin/scp'].filter((f) => existsSync(f));
const TAR_FILES = /\/(tar|rmt|rmt-tar|tarcat)$/;

/** Map a host path onto the merged-/usr layout of our images. */
function imagePath(p: string): string {
  for (const [from, to] of [['/bin/', '/usr/bin/'], ['/sbin/', '/usr/sbin/'], ['/lib/', '/usr/lib/'], ['/lib64/', '/usr/lib64/']]) {
    if (p.startsWith(from)) return to + p.slice(from.length);
  }
  return p;
}

async function hostBinaries(packages: string[]): Promise<string[]> {
  const { stdout } = await run('dpkg', ['-L', ...packages], { maxBuffer: 16 << 20 });
  const out = new Set<string>();
  for (const line of stdout.split('\n')) {
    if (!/^\/(usr\/)?s?bin\/[^/]+$/.test(line)) continue;
    try {
      const st = lstatSync(line);
      if (st.isFile() || st.isSymbolicLink()) out.add(line);
    } catch { /* listed but absent (diverted) */ }
  }
  return [...out];
}

async function sharedLibraries(files: string[]): Promise<string[]> {
  const libs = new Set<string>();
  const elf = files.filter((f) => { try { return lstatSync(f).isFile(); } catch { return false; } });
  const { stdout } = await run('ldd', elf, { maxBuffer: 16 << 20 }).catch((e: { stdout?: string }) => ({ stdout: e.stdout ?? '' }));
  for (const line of stdout.split('\n')) {
    const m = /=>\s+(\/\S+)/.exec(line) ?? /^\s+(\/\S+)\s+\(/.exec(line);
    if (m) libs.add(m[1]);
  }
  return [...libs];
}

const ignoreExists = (e: NodeJS.ErrnoException) => { if (e.code !== 'EEXIST') throw e; };

async function inParallel<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let i = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (i < items.length) await fn(items[i++]);
  }));
}

async function copyInto(root: string, hostFile: string): Promise<void> {
  const dest = join(root, imagePath(hostFile));
  if (existsSync(dest) || lstatOr(dest)) return;
  await mkdir(dirname(dest), { recursive: true });
  const st = lstatSync(hostFile);
  if (st.isSymbolicLink()) {
    const target = await readlink(hostFile);
    if (target.startsWith('/')) {
      const t = imagePath(target);
      await symlink(relative(dirname(imagePath(hostFile)), t) || '.', dest).catch(ignoreExists);
      if (existsSync(target)) await copyInto(root, target);
    } else {
      await symlink(target, dest).catch(ignoreExists);
      const abs = join(dirname(hostFile), target);
      if (existsSync(abs)) await copyInto(root, abs);
    }
    return;
  }
  await copyFile(realpathSync(hostFile), dest);
  await chmod(dest, st.mode & 0o7777);
}

function lstatOr(p: string): boolean {
  try { lstatSync(p); return true; } catch { return false; }
}

async function skeleton(root: string, opts: { merged: boolean; shell: string }): Promise<void> {
  for (const d of ['etc', 'root', 'tmp', 'dev', 'proc', 'home', 'var/tmp', 'usr/bin', 'usr/sbin', 'usr/lib', 'usr/local/bin']) {
    await mkdir(join(root, d), { recursive: true });
  }
  await chmod(join(root, 'tmp'), 0o1777);
  await chmod(join(root, 'var/tmp'), 0o1777);
  await chmod(join(root, 'root'), 0o700);
  if (opts.merged) {
    await mkdir(join(root, 'usr/lib64'), { recursive: true });
    for (const [l, t] of [['bin', 'usr/bin'], ['sbin', 'usr/sbin'], ['lib', 'usr/lib'], ['lib64', 'usr/lib64']]) {
      await symlink(t, join(root, l));
    }
  }
  await writeFile(join(root, 'etc/passwd'), `root:x:0:0:root:/root:${opts.shell}\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n`);
  await writeFile(join(root, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await writeFile(join(root, 'etc/nsswitch.conf'), 'passwd: files\ngroup: files\nhosts: files\n');
  await writeFile(join(root, 'etc/hosts'), '127.0.0.1 localhost\n');
  const nodes: [string, string, number, number][] = [['null', 'c', 1, 3], ['zero', 'c', 1, 5], ['full', 'c', 1, 7],
    ['random', 'c', 1, 8], ['urandom', 'c', 1, 9], ['tty', 'c', 5, 0]];
  const script = nodes.map(([n, t, ma, mi]) => `mknod -m 666 ${join(root, 'dev', n)} ${t} ${ma} ${mi}`).join(' && ');
  await run('sh', ['-c', script]);
  await mkdir(join(root, 'dev/pts'));
  await symlink('pts/ptmx', join(root, 'dev/ptmx'));
  await symlink('/proc/self/fd', join(root, 'dev/fd'));
  await symlink('/proc/self/fd/0', join(root, 'dev/stdin'));
  await symlink('/proc/self/fd/1', join(root, 'dev/stdout'));
  await symlink('/proc/self/fd/2', join(root, 'dev/stderr'));
}

async function buildFull(root: string, withTar: boolean): Promise<void> {
  await skeleton(root, { merged: true, shell: '/bin/bash' });
  let bins = await hostBinaries(FULL_PACKAGES);
  if (!withTar) bins = bins.filter((b) => !TAR_FILES.test(b));
  bins.push(...SSH_EXTRAS);
  await inParallel(bins, 16, (b) => copyInto(root, b));
  const real = bins.map((b) => { try { return realpathSync(b); } catch { return b; } });
  await inParallel(await sharedLibraries([...new Set(real)]), 16, (lib) => copyInto(root, lib));
  // /bin/sh is dash as on Debian.
  if (!existsSync(join(root, 'usr/bin/sh'))) await symlink('dash', join(root, 'usr/bin/sh'));
  for (const t of ['xterm', 'xterm-256color', 'xterm-color', 'vt100', 'linux', 'screen', 'dumb']) {
    const dir = `/usr/share/terminfo/${t[0]}`;
    for (const base of ['/lib/terminfo', '/usr/share/terminfo']) {
      const f = `${base}/${t[0]}/${t}`;
      if (existsSync(f)) {
        await mkdir(join(root, dir), { recursive: true });
        if (!existsSync(join(root, dir, t))) await copyFile(realpathSync(f), join(root, dir, t));
      }
    }
  }
  await writeFile(join(root, 'etc/os-release'), `PRETTY_NAME="Kubedeck test image (${withTar ? 'full' : 'notar'})"\nID=debian\n`);
  await writeFile(join(root, 'root/.bashrc'), "PS1='\\u@\\h:\\w\\$ '\n");
}

async function buildBusybox(root: string): Promise<void> {
  await skeleton(root, { merged: false, shell: '/bin/sh' });
  await mkdir(join(root, 'bin'), { recursive: true });
  await mkdir(join(root, 'sbin'), { recursive: true });
  await copyFile(BUSYBOX, join(root, 'bin/busybox'));
  await chmod(join(root, 'bin/busybox'), 0o755);
  const { stdout } = await run(BUSYBOX, ['--list-full']);
  for (const rel of stdout.split('\n').map((s) => s.trim()).filter(Boolean)) {
    const dest = join(root, rel);
    if (existsSync(dest) || rel === 'bin/busybox') continue;
    await mkdir(dirname(dest), { recursive: true });
    await symlink(relative(dirname(dest), join(root, 'bin/busybox')), dest);
  }
  await writeFile(join(root, 'etc/os-release'), 'PRETTY_NAME="Kubedeck test image (busybox)"\nID=busybox\n');
}

async function buildDistroless(root: string): Promise<void> {
  await skeleton(root, { merged: false, shell: '/sbin/nologin' });
  await mkdir(join(root, 'app'), { recursive: true });
  // Its own program and nothing else: no shell, no tar, no coreutils.
  await copyFile(BUSYBOX, join(root, 'app/server'));
  await chmod(join(root, 'app/server'), 0o755);
  await writeFile(join(root, 'app/config.yaml'), 'listen: ":8080"\nlog: info\n');
  await writeFile(join(root, 'etc/os-release'), 'PRETTY_NAME="Distroless"\nID=distroless\n');
}

/** Build every image under dir/<kind>; notar is the full image (hard links) without tar. */
export async function buildImages(dir: string): Promise<Record<ImageKind, string>> {
  const images = Object.fromEntries(IMAGE_KINDS.map((k) => [k, join(dir, k)])) as Record<ImageKind, string>;
  await Promise.all([buildImage('full', images.full), buildImage('busybox', images.busybox), buildImage('distroless', images.distroless)]);
  await run('cp', ['-a', '--link', images.full, images.notar]);
  for (const f of ['usr/lib/openssh/sftp-server', 'usr/bin/tar', 'usr/sbin/rmt', 'usr/sbin/rmt-tar', 'usr/sbin/tarcat', 'usr/bin/rmt']) {
    await rm(join(images.notar, f), { force: true });
  }
  await rm(join(images.notar, 'etc/os-release'));
  await writeFile(join(images.notar, 'etc/os-release'), 'PRETTY_NAME="Kubedeck test image (notar)"\nID=debian\n');
  return images;
}

export async function buildImage(kind: ImageKind, root: string): Promise<void> {
  await mkdir(root, { recursive: true });
  if (kind === 'full') await buildFull(root, true);
  else if (kind === 'notar') await buildFull(root, false);
  else if (kind === 'busybox') await buildBusybox(root);
  else await buildDistroless(root);
}

/** A container's own root: hard links into the image (fast; files written inside stay inside this root's tree). */
export async function makeContainerRoot(image: string, root: string): Promise<void> {
  await mkdir(dirname(root), { recursive: true });
  await run('cp', ['-a', '--link', image, root]);
}

export const CONTAINER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Find an executable inside a container root the way execvp would; returns the in-container path or undefined. */
export async function resolveInRoot(root: string, command: string): Promise<string | undefined> {
  const candidates = command.includes('/') ? [command.startsWith('/') ? command : `/${command}`]
    : CONTAINER_PATH.split(':').map((d) => `${d}/${command}`);
  for (const c of candidates) {
    if (await isExecutableIn(root, c, 0)) return c;
  }
  return undefined;
}

async function isExecutableIn(root: string, inPath: string, depth: number): Promise<boolean> {
  if (depth > 16) return false;
  // resolve symlinks inside the root (absolute targets are relative to the root)
  const parts = inPath.split('/').filter(Boolean);
  let cur = '';
  for (let i = 0; i < parts.length; i++) {
    const next = `${cur}/${parts[i]}`;
    let st;
    try { st = await lstat(join(root, next)); } catch { return false; }
    if (st.isSymbolicLink()) {
      const t = await readlink(join(root, next));
      const rest = parts.slice(i + 1).join('/');
      const base = t.startsWith('/') ? t : `${cur}/${t}`;
      return isExecutableIn(root, normalize(rest ? `${base}/${rest}` : base), depth + 1);
    }
    if (i === parts.length - 1) return st.isFile() && (st.mode & 0o111) !== 0;
    if (!st.isDirectory()) return false;
    cur = next;
  }
  return false;
}

function normalize(p: string): string {
  const out: string[] = [];
  for (const s of p.split('/')) {
    if (!s || s === '.') continue;
    if (s === '..') out.pop();
    else out.push(s);
  }
  return `/${out.join('/')}`;
}

/**
 * The fixture image a pod spec's image name runs, the way a node would pull it: a busybox image of any registry
 * or tag is the busybox fixture, debian the full one, the fixture images by their own names; anything else is an
 * image no registry has (undefined: the container stays Waiting with ErrImagePull).
 */
export function imageKindOf(image: string): ImageKind | undefined {
  for (const kind of IMAGE_KINDS) if (IMAGE_NAMES[kind] === image) return kind;
  const repo = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[\w.-]+$/, '');
  const last = repo.split('/').pop() ?? '';
  const official = /^(docker\.io\/)?(library\/)?[a-z0-9._-]+$/.test(repo);
  if (last === 'busybox' && (official || repo.endsWith('/busybox'))) return 'busybox';
  if (official && last === 'debian') return 'full';
  return undefined;
}

/** The program an image runs when a container gives no command (its CMD). */
export const IMAGE_CMD: Record<ImageKind, string[]> = {
  full: ['bash'], busybox: ['sh'], notar: ['bash'], distroless: ['/app/server'],
};
