"""SFTP through the gateway with python3-paramiko or python3-asyncssh (Debian's packages).

usage: sftpPy.py paramiko|asyncssh HOST PORT USER KEY REMOTE_DIR LOCAL_FILE
Runs one scenario in REMOTE_DIR and prints what it saw as one JSON object (the test compares hashes).
"""
import hashlib
import json
import sys
import warnings

warnings.filterwarnings('ignore')

ODD = 'odd name\nwith newline ü 日本.bin'


def sha(b):
    return hashlib.sha256(b).hexdigest()


def with_paramiko(host, port, user, key, rdir, local):
    import paramiko
    t = paramiko.Transport((host, int(port)))
    t.connect(username=user, pkey=paramiko.Ed25519Key.from_private_key_file(key))
    s = paramiko.SFTPClient.from_transport(t)
    out = {}
    s.mkdir(rdir)
    s.put(local, f'{rdir}/{ODD}')
    f = s.open(f'{rdir}/{ODD}', 'rb')
    f.prefetch()  # many READs in flight: answered in order or the data is wrong
    out['get'] = sha(f.read())
    f.close()
    out['size'] = s.stat(f'{rdir}/{ODD}').st_size
    out['names'] = sorted(s.listdir(rdir))
    s.posix_rename(f'{rdir}/{ODD}', f'{rdir}/renamed')
    s.symlink('renamed', f'{rdir}/link')
    out['readlink'] = s.readlink(f'{rdir}/link')
    out['lstat_is_link'] = (s.lstat(f'{rdir}/link').st_mode & 0o170000) == 0o120000
    s.chmod(f'{rdir}/renamed', 0o640)
    s.utime(f'{rdir}/renamed', (1000000000, 1200000000))
    st = s.stat(f'{rdir}/renamed')
    out['mode'] = oct(st.st_mode & 0o7777)
    out['mtime'] = st.st_mtime
    # Writes out of order: the last block first, then the first.
    with s.open(f'{rdir}/sparse', 'wb') as w:
        w.seek(65536)
        w.write(b'B' * 10)
        w.seek(0)
        w.write(b'A' * 10)
    with s.open(f'{rdir}/sparse', 'rb') as r:
        data = r.read()
    out['sparse'] = [len(data), data[:10].decode(), data[65536:].decode(), data[10:65536].count(0)]
    with s.open(f'{rdir}/sparse', 'r+') as w:
        w.truncate(5)
    out['truncated'] = s.stat(f'{rdir}/sparse').st_size
    with s.open(f'{rdir}/append', 'ab') as w:
        w.write(b'one\n')
    with s.open(f'{rdir}/append', 'ab') as w:
        w.write(b'two\n')
    with s.open(f'{rdir}/append', 'rb') as r:
        out['append'] = r.read().decode()
    try:
        s.open(f'{rdir}/missing', 'rb')
        out['missing'] = 'opened'
    except FileNotFoundError:
        out['missing'] = 'FileNotFoundError'
    try:
        s.rmdir(rdir)
        out['rmdir_full'] = 'removed'
    except OSError as e:
        out['rmdir_full'] = type(e).__name__
    for n in ['link', 'renamed', 'sparse', 'append']:
        s.remove(f'{rdir}/{n}')
    s.rmdir(rdir)
    out['gone'] = rdir.rsplit('/', 1)[1] not in s.listdir(rdir.rsplit('/', 1)[0] or '/')
    s.close()
    t.close()
    return out


def with_asyncssh(host, port, user, key, rdir, local):
    import asyncio
    import asyncssh

    async def main():
        out = {}
        async with asyncssh.connect(host, int(port), username=user, client_keys=[key], known_hosts=None) as conn:
            async with conn.start_sftp_client() as s:
                await s.mkdir(rdir)
                await s.put(local, f'{rdir}/{ODD}')
                async with s.open(f'{rdir}/{ODD}', 'rb') as f:
                    out['get'] = sha(await f.read())
                out['names'] = sorted(await s.listdir(rdir))
                vfs = await s.statvfs(rdir)
                out['statvfs'] = vfs.blocks > 0 and vfs.bsize > 0
                await s.rename(f'{rdir}/{ODD}', f'{rdir}/b')
                out['after_rename'] = sorted(await s.listdir(rdir))
                await s.remove(f'{rdir}/b')
                await s.rmdir(rdir)
        return out

    return asyncio.run(main())


if __name__ == '__main__':
    mode, *args = sys.argv[1:]
    print(json.dumps((with_paramiko if mode == 'paramiko' else with_asyncssh)(*args)))
