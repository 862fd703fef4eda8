#!/usr/bin/env python3
"""Runs a command under a pseudo-terminal, as a user's terminal emulator would, and times it.

bench.ts uses it for the kubectl side of the benchmark: `kubectl exec -it` refuses a tty unless its
stdin is a terminal, and Node has no pty of its own. One JSON object is printed on stdout.

  ptyprobe.py first-byte [--cols C --rows R] -- CMD...   time from spawn to the first output byte
  ptyprobe.py echo --keys N -- CMD...                     per-key echo latency once the prompt is idle
  ptyprobe.py sink -- CMD...                              stdin a pty, stdout /dev/null; wall time to exit
"""
import argparse
import fcntl
import json
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def spawn(cmd, cols, rows, stdout_null=False):
    pid, fd = pty.fork()
    if pid == 0:
        # The size is set on the child's side before exec, so kubectl reads it at start.
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))
        if stdout_null:
            null = os.open('/dev/null', os.O_WRONLY)
            os.dup2(null, 1)
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    return pid, fd


def read_some(fd, timeout):
    r, _, _ = select.select([fd], [], [], timeout)
    if not r:
        return b''
    try:
        data = os.read(fd, 1 << 16)
    except OSError:  # EIO: the child closed the slave side
        raise EOFError()
    if not data:
        raise EOFError()
    return data


def drain_until_quiet(fd, quiet, limit):
    """Reads until nothing arrives for `quiet` seconds (or `limit` passes); returns what was read."""
    out = b''
    end = time.monotonic() + limit
    while time.monotonic() < end:
        data = read_some(fd, quiet)
        if not data:
            break
        out += data
    return out


def finish(pid, fd, exit_line=b'exit\r', timeout=10.0):
    """Ends the shell the polite way so no process is left in the container, then reaps the child."""
    try:
        os.write(fd, b'\x15' + exit_line)
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            read_some(fd, 0.5)
    except (EOFError, OSError):
        pass
    for _ in range(50):
        wpid, status = os.waitpid(pid, os.WNOHANG)
        if wpid:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def first_byte(args):
    t0 = time.perf_counter()
    pid, fd = spawn(args.cmd, args.cols, args.rows)
    ms = None
    end = time.monotonic() + args.timeout
    try:
        while time.monotonic() < end:
            if read_some(fd, 0.5):
                ms = (time.perf_counter() - t0) * 1000
                break
        drain_until_quiet(fd, 0.2, 3)
    except EOFError:
        pass
    code = finish(pid, fd)
    return {'ms': ms, 'exit': code}


def echo(args):
    t0 = time.perf_counter()
    pid, fd = spawn(args.cmd, args.cols, args.rows)
    lat = []
    prompt_ms = None
    error = None
    try:
        first = read_some(fd, args.timeout)
        prompt_ms = (time.perf_counter() - t0) * 1000
        if not first:
            raise TimeoutError('no prompt within %ss' % args.timeout)
        drain_until_quiet(fd, 0.3, 5)
        keys = 'abcdefghijklmnopqrstuvwxyz'
        for i in range(args.keys):
            if i and i % 40 == 0:
                # Ctrl-U empties the line so it never wraps; not timed.
                os.write(fd, b'\x15')
                drain_until_quiet(fd, 0.05, 2)
            c = keys[i % len(keys)].encode()
            buf = b''
            t = time.perf_counter()
            os.write(fd, c)
            deadline = time.monotonic() + 10
            while c not in buf:
                if time.monotonic() > deadline:
                    raise TimeoutError('no echo of key %d' % i)
                buf += read_some(fd, 1)
            lat.append((time.perf_counter() - t) * 1000)
            if args.gap:
                time.sleep(args.gap / 1000)
    except (EOFError, TimeoutError) as e:
        error = str(e) or 'the command ended'
    code = finish(pid, fd)
    return {'prompt_ms': prompt_ms, 'lat_ms': lat, 'exit': code, 'error': error}


def sink(args):
    t0 = time.perf_counter()
    pid, fd = spawn(args.cmd, args.cols, args.rows, stdout_null=True)
    out = b''
    try:
        while True:
            data = read_some(fd, 1)
            if len(out) < 4096:
                out += data
    except EOFError:
        pass
    _, status = os.waitpid(pid, 0)
    return {'seconds': time.perf_counter() - t0, 'exit': os.waitstatus_to_exitcode(status),
            'stderr': out.decode('utf-8', 'replace')[:2000]}


def main():
    p = argparse.ArgumentParser()
    p.add_argument('mode', choices=['first-byte', 'echo', 'sink'])
    p.add_argument('--cols', type=int, default=120)
    p.add_argument('--rows', type=int, default=40)
    p.add_argument('--keys', type=int, default=500)
    p.add_argument('--gap', type=float, default=0, help='ms to wait between keys')
    p.add_argument('--timeout', type=float, default=30)
    argv = sys.argv[1:]
    if '--' not in argv:
        p.error('usage: ptyprobe.py MODE [options] -- CMD...')
    split = argv.index('--')
    args = p.parse_args(argv[:split])
    args.cmd = argv[split + 1:]
    if not args.cmd:
        p.error('no command')
    result = {'first-byte': first_byte, 'echo': echo, 'sink': sink}[args.mode](args)
    sys.stdout.write(json.dumps(result) + '\n')


if __name__ == '__main__':
    main()
