/**
 * Serve mode's drops: a browser cannot hand over a local path, so a file dropped from the OS arrives
 * in chunks and is written to a private staging folder; its path then feeds an ordinary upload, and
 * the folder is removed once that transfer has run (or when the client goes away).
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { localError } from './localFs.ts';

export class StagedUploads {
  private open = new Map<string, { path: string; size: number }>();

  constructor(readonly root: string) {}

  /** Appends one chunk; offset 0 starts a new file (in a folder of its own, so names never clash). */
  async append(name: string, data: Uint8Array, offset: number, final: boolean): Promise<{ path: string }> {
    const base = path.basename(name);
    if (!base || base === '.' || base === '..' || base !== name.replace(/^.*[\\/]/, '')) throw new Error(`Bad file name: ${name}`);
    let s = this.open.get(name);
    if (offset === 0) {
      const dir = path.join(this.root, randomBytes(8).toString('hex'));
      await fsp.mkdir(dir, { recursive: true, mode: 0o700 });
      s = { path: path.join(dir, base), size: 0 };
      this.open.set(name, s);
      await fsp.writeFile(s.path, new Uint8Array(0), { mode: 0o644 }).catch((e) => {
        throw localError(e, s!.path);
      });
    }
    if (!s) throw new Error(`Upload of ${name} was not started (first chunk must have offset 0)`);
    if (offset !== s.size) throw new Error(`Upload of ${name}: expected offset ${s.size}, got ${offset}`);
    await fsp.appendFile(s.path, data).catch((e) => {
      throw localError(e, s!.path);
    });
    s.size += data.length;
    if (final) this.open.delete(name);
    return { path: s.path };
  }

  /** Removes the staged drops among `paths` (they have done their job). */
  async release(paths: string[]): Promise<void> {
    for (const p of paths) {
      if (p.startsWith(this.root + path.sep)) await fsp.rm(path.dirname(p), { recursive: true, force: true }).catch(() => {});
    }
  }

  async dispose(): Promise<void> {
    await fsp.rm(this.root, { recursive: true, force: true }).catch(() => {});
  }
}
