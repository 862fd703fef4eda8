// The SFTP wire format and the container-side scripts, without a cluster: packets split anywhere,
// VERSION's extensions, and ContainerFs run on this machine's coreutils and busybox (hostExec).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { hostExec } from '../core/files/hostExec.ts';
import { decodeRequest, encodeReply, PacketReader, STATUS, T, versionPacket, type Reply } from './sftpCodec.ts';
import { ContainerFs } from './sftpContainer.ts';

function packet(type: number, id: number, ...fields: (string | number)[]): Buffer {
  const parts: Buffer[] = [Buffer.from([type]), u32(id)];
  for (const f of fields) parts.push(typeof f === 'number' ? u32(f) : Buffer.concat([u32(Buffer.byteLength(f)), Buffer.from(f)]));
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}

describe('SFTP codec', () => {
  it('reassembles packets split at any byte and decodes them', () => {
    const wire = Buffer.concat([packet(T.STAT, 7, '/tmp/a b'), packet(T.RENAME, 8, 'x', 'y\nz')]);
    for (let cut = 1; cut < wire.length; cut++) {
      const r = new PacketReader();
      const got = [...r.push(wire.subarray(0, cut)), ...r.push(wire.subarray(cut))].map(decodeRequest);
      assert.deepEqual(got.map((g) => [g.type, g.id, g.paths]), [[T.STAT, 7, ['/tmp/a b']], [T.RENAME, 8, ['x', 'y\nz']]]);
    }
  });

  it('refuses an oversized packet length rather than buffering it', () => {
    assert.throws(() => new PacketReader().push(u32(64 << 20)), /bad SFTP packet length/);
  });

  it('announces its extensions in VERSION', () => {
    const v = versionPacket().toString('latin1');
    for (const e of ['posix-rename@openssh.com', 'statvfs@openssh.com', 'limits@openssh.com']) assert.ok(v.includes(e), e);
  });

  it('encodes a status with its message', () => {
    const b = encodeReply(9, { status: STATUS.NO_SUCH_FILE, message: 'gone' });
    assert.equal(b.readUInt32BE(0), b.length - 4);
    assert.equal(b[4], T.STATUS);
    assert.equal(b.readUInt32BE(5), 9);
    assert.equal(b.readUInt32BE(9), STATUS.NO_SUCH_FILE);
    assert.ok(b.includes(Buffer.from('gone')));
  });
});

const BUSYBOX = '/bin/busybox';
const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function busyboxPath(): string {
  const d = mkdtempSync(join(tmpdir(), 'kd-bb-'));
  dirs.push(d);
  for (const c of ['sh', 'stat', 'cat', 'tail', 'dd', 'mv', 'rm', 'mkdir', 'rmdir', 'ln', 'readlink', 'chmod', 'touch', 'truncate', 'xargs', 'printf']) symlinkSync(BUSYBOX, join(d, c));
  return d;
}

for (const tools of ['coreutils', 'busybox'] as const) {
  describe(`ContainerFs on ${tools}`, { skip: tools === 'busybox' && !existsSync(BUSYBOX) ? 'no busybox' : false }, () => {
    const env = tools === 'busybox' ? { PATH: busyboxPath() } : process.env;
    const exec = hostExec(env);
    const audit: string[] = [];
    const fs = new ContainerFs({ run: exec, stream: exec, home: '/', audit: (k) => audit.push(k) });
    const req = (type: number, paths: string[], extra: object = {}) => fs.handle({ type, id: 1, paths, ...extra });

    it('lists a folder in one exec: odd names, symlinks, modes', async () => {
      const d = mkdtempSync(join(tmpdir(), 'kd-ls-'));
      dirs.push(d);
      writeFileSync(join(d, 'new\nline ü'), 'x');
      writeFileSync(join(d, '-dash'), 'yy');
      writeFileSync(join(d, '.hidden'), '');
      mkdirSync(join(d, 'sub'));
      symlinkSync('sub', join(d, 'link'));
      const h = (await req(T.OPENDIR, [d])) as { handle: Buffer };
      const names = ((await req(T.READDIR, [], { handle: h.handle })) as Extract<Reply, { names: unknown }>).names;
      const by = Object.fromEntries(names.map((n) => [n.filename, n]));
      assert.deepEqual(Object.keys(by).filter((n) => n !== '.' && n !== '..').sort(), ['-dash', '.hidden', 'link', 'new\nline ü', 'sub']);
      assert.equal(by['-dash'].attrs.size, 2);
      assert.equal((by.link.attrs.mode ?? 0) & 0o170000, 0o120000);
      assert.equal((by.sub.attrs.mode ?? 0) & 0o170000, 0o040000);
      assert.match(by.sub.longname, /^drwx.* sub$/);
      assert.deepEqual(await req(T.READDIR, [], { handle: h.handle }), { status: STATUS.EOF });
    });

    it('says which failure it is: no such file, a folder that is not empty', async () => {
      assert.equal(((await req(T.STAT, ['/nonexistent/x'])) as { status: number }).status, STATUS.NO_SUCH_FILE);
      const d = mkdtempSync(join(tmpdir(), 'kd-rm-'));
      dirs.push(d);
      writeFileSync(join(d, 'f'), '');
      const r = (await req(T.RMDIR, [d])) as { status: number; message: string };
      assert.equal(r.status, STATUS.FAILURE);
      assert.match(r.message, /not empty/i);
    });
  });
}
