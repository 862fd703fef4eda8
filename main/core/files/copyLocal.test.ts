// copyLocal checks what it reports: sizes of every file against the source, before the rename.
import assert from 'node:assert/strict';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { copyLocal, nodeCopier } from './copyLocal.ts';

let tmp: string;
const hooks = () => ({ signal: new AbortController().signal });

before(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'kd-copylocal-'));
  await fsp.mkdir(path.join(tmp, 'src/tree/sub'), { recursive: true });
  await fsp.writeFile(path.join(tmp, 'src/f.txt'), 'twelve bytes');
  await fsp.writeFile(path.join(tmp, 'src/tree/a'), 'a');
  await fsp.writeFile(path.join(tmp, 'src/tree/sub/b'), 'bb');
  await fsp.mkdir(path.join(tmp, 'dst'));
});
after(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

test('a file and a folder are copied and their sizes checked', async () => {
  const file = await copyLocal(path.join(tmp, 'src/f.txt'), path.join(tmp, 'dst'), 'overwrite', hooks());
  assert.equal(file.verified, 'size ok (1 file)');
  assert.equal(await fsp.readFile(path.join(tmp, 'dst/f.txt'), 'utf8'), 'twelve bytes');
  const tree = await copyLocal(path.join(tmp, 'src/tree'), path.join(tmp, 'dst'), 'overwrite', hooks());
  assert.equal(tree.verified, 'size ok (2 files)');
  assert.equal(await fsp.readFile(path.join(tmp, 'dst/tree/sub/b'), 'utf8'), 'bb');
  assert.deepEqual((await fsp.readdir(path.join(tmp, 'dst'))).sort(), ['f.txt', 'tree']);
});

test('a copy that came out short fails the check and leaves nothing behind', async () => {
  const into = await fsp.mkdtemp(path.join(tmp, 'short-'));
  const shortCopier = async (from: string, to: string) => {
    await nodeCopier(from, to);
    await fsp.truncate(path.join(to, 'sub/b'), 1);
  };
  await assert.rejects(copyLocal(path.join(tmp, 'src/tree'), into, 'overwrite', hooks(), shortCopier), /Check failed: size of tree\/sub\/b differs from the source/);
  assert.deepEqual(await fsp.readdir(into), []);
});
