/** The local side of the browser: listings like the remote ones, and errors a user can act on. */
import { promises as fsp, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FileEntry } from '../../../common/contract/files.ts';
import { modeString } from './fileMode.ts';

/** A sentence for a filesystem error: what happened, and to which path. */
export function localError(e: unknown, p?: string): Error {
  const err = e as NodeJS.ErrnoException;
  const where = p ?? err?.path ?? '';
  const msg: Record<string, string> = {
    ENOSPC: `Disk full: no space left on the device while writing ${where}`,
    EDQUOT: `Disk quota exceeded while writing ${where}`,
    EACCES: `Permission denied: ${where}`,
    EPERM: `Operation not permitted: ${where}`,
    EROFS: `Read-only file system: ${where}`,
    ENOENT: `No such file or folder: ${where}`,
    EEXIST: `Already exists: ${where}`,
    ENOTDIR: `Not a folder: ${where}`,
    EISDIR: `Is a folder: ${where}`,
    ENOTEMPTY: `Folder not empty: ${where}`,
    EMFILE: 'Too many open files',
  };
  const text = err?.code ? msg[err.code] : undefined;
  if (text) {
    const out = new Error(text) as NodeJS.ErrnoException;
    out.code = err.code;
    return out;
  }
  return e instanceof Error ? e : new Error(String(e));
}

let users: Map<number, string> | undefined;
let groups: Map<number, string> | undefined;
function idNames(file: string): Map<number, string> {
  const m = new Map<number, string>();
  try {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const f = line.split(':');
      if (f.length >= 3 && /^\d+$/.test(f[2])) m.set(Number(f[2]), f[0]);
    }
  } catch {
    // No /etc/passwd (Windows, sandbox): numbers it is.
  }
  return m;
}

export function localPath(p: string): string {
  if (!path.isAbsolute(p)) throw new Error(`Local paths must be absolute: ${p}`);
  return path.resolve(p);
}

export async function listLocal(dir: string): Promise<FileEntry[]> {
  const d = localPath(dir);
  users ??= idNames('/etc/passwd');
  groups ??= idNames('/etc/group');
  let names: string[];
  try {
    const st = await fsp.stat(d);
    if (!st.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR', path: d });
    names = await fsp.readdir(d);
  } catch (e) {
    throw localError(e, d);
  }
  const out: FileEntry[] = [];
  for (const name of names) {
    const a = path.join(d, name);
    const st = await fsp.lstat(a).catch(() => undefined);
    if (!st) continue;
    const type: FileEntry['type'] = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : st.isFile() ? 'file' : 'other';
    const mode = st.mode & 0o7777;
    out.push({
      name,
      type,
      size: type === 'dir' ? 0 : st.size,
      mode,
      modeString: modeString(type, mode),
      owner: users.get(st.uid) ?? String(st.uid),
      group: groups.get(st.gid) ?? String(st.gid),
      modified: st.mtime.toISOString(),
      ...(type === 'symlink' ? { target: await fsp.readlink(a).catch(() => '?') } : {}),
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export function homeLocal(): string {
  return os.homedir();
}

export async function makeDirLocal(p: string): Promise<void> {
  const a = localPath(p);
  await fsp.mkdir(a).catch((e) => {
    throw localError(e, a);
  });
}

export async function renameLocal(from: string, to: string): Promise<void> {
  const a = localPath(from);
  const b = localPath(to);
  if (await fsp.lstat(b).then(() => true, () => false)) throw new Error(`Already exists: ${b}`);
  await fsp.rename(a, b).catch((e) => {
    throw localError(e, a);
  });
}

export async function deleteLocal(paths: string[]): Promise<void> {
  for (const p of paths) {
    const a = localPath(p);
    if (a === path.parse(a).root) throw new Error('Refusing to delete the root folder.');
    await fsp.lstat(a).catch((e) => {
      throw localError(e, a);
    });
    await fsp.rm(a, { recursive: true, force: true }).catch((e) => {
      throw localError(e, a);
    });
  }
}

/** "name", else "name (1).ext", "name (2).ext"... whichever is free in dir. */
export async function freeLocalName(dir: string, name: string): Promise<string> {
  const ext = path.extname(name);
  const stem = ext && ext !== name ? name.slice(0, -ext.length) : name;
  let candidate = name;
  for (let i = 1; ; i++) {
    if (!(await fsp.lstat(path.join(dir, candidate)).then(() => true, () => false))) return candidate;
    candidate = `${stem} (${i})${ext === name ? '' : ext}`;
  }
}
