/**
 * A local-to-local copy of one item, with the same promises as the container copies: a staging name
 * next to the target, a check before the rename (the size of every file, compared with the source),
 * and nothing left behind when it fails. The copier is passed in so the check itself can be tested.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ConflictPolicy } from '../../../common/contract/files.ts';
import { Cancelled, type ItemHooks, type ItemResult } from './copyStream.ts';
import { freeLocalName, localError, localPath } from './localFs.ts';
import { walkLocal } from './tarPack.ts';
import { verifyCopy } from './verify.ts';

/** Copies a file or a folder tree to `to` (keeping times and symlinks as they are). */
export type LocalCopier = (from: string, to: string) => Promise<void>;

export const nodeCopier: LocalCopier = (from, to) =>
  fsp.cp(from, to, { recursive: true, preserveTimestamps: true, verbatimSymlinks: true, errorOnExist: true, force: false });

export async function copyLocal(src: string, toDir: string, conflict: ConflictPolicy, hooks: ItemHooks, copy: LocalCopier = nodeCopier): Promise<ItemResult> {
  const a = localPath(src);
  const dir = localPath(toDir);
  const name = path.basename(a);
  const st = await fsp.lstat(a).catch((e) => {
    throw localError(e, a);
  });
  hooks.onTotal?.(st.isFile() ? st.size : 0);
  let finalName = name;
  const exists = await fsp.lstat(path.join(dir, name)).then(() => true, () => false);
  if (exists && conflict === 'skip') return { state: 'skipped', warnings: [], finalPath: path.join(dir, name) };
  if (exists && conflict === 'keepBoth') finalName = await freeLocalName(dir, name);
  const staging = path.join(dir, `.kubedeck-${randomBytes(6).toString('hex')}.part`);
  try {
    const source = (await walkLocal(a, name)).filter((e) => e.type === 'file');
    await copy(a, path.join(staging, name));
    hooks.signal.throwIfAborted();
    const verified = await verifyCopy({
      files: source,
      copySizes: async () => new Map((await walkLocal(path.join(staging, name), name)).map((e) => [e.rel, e.size])),
      differs: (_what, rel) => `size of ${rel} differs from the source`,
    });
    const target = path.join(dir, finalName);
    if (exists && conflict === 'overwrite' && finalName === name) await fsp.rename(target, path.join(staging, '.old'));
    await fsp.rename(path.join(staging, name), target);
    await fsp.rm(staging, { recursive: true, force: true });
    return { state: 'done', verified, finalPath: target, warnings: [] };
  } catch (e) {
    await fsp.rm(staging, { recursive: true, force: true }).catch(() => {});
    if (hooks.signal.aborted) throw new Cancelled();
    throw localError(e);
  }
}
