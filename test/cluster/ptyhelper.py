#!/usr/bin/env python3
"""Runs one command inside a container root under a real PTY, like a container runtime's tty exec.

usage: ptyhelper.py ROOT CWD COLS ROWS NSPID PATH ARGV0 [ARG...]   (environment is passed through)
NSPID: host pid of the container's namespace init (its PID and mount namespaces are entered), or 0.
fd 0: bytes for the terminal; fd 1: what the terminal prints; fd 3: control lines "COLS ROWS\n" (resize).
The window size is set before the command starts. When fd 0 ends (the client's stdin closed or its stream
dropped) the PTY stays open: like containerd, the process keeps running until it exits on its own.
Exit status: the command's exit code, or 128+signal.
"""
import errno
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios


# PTY plumbing shared with ptydrive.py (which imports these): one copy of each ioctl and status rule.

def set_size(fd, cols, rows):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack('HHHH', rows, cols, 0, 0))


def take_terminal(slave):
    """In a fresh child: a session of its own with `slave` as its controlling terminal, on fds 0, 1 and 2."""
    os.setsid()
    fcntl.ioctl(slave, termios.TIOCSCTTY, 0)
    for fd in (0, 1, 2):
        os.dup2(slave, fd)


def read_some(fd, n):
    """os.read, where an error counts as the end of the stream (b'')."""
    try:
        return os.read(fd, n)
    except OSError:
        return b''


def exit_status(st):
    """A waitpid status as a shell reports it: the exit code, or 128+signal."""
    return 128 + os.WTERMSIG(st) if os.WIFSIGNALED(st) else os.WEXITSTATUS(st)


def enter_container(nspid, slave):
    """Join the container's network (the pod's), mount and PID namespaces. A PID namespace applies to children only, so fork once
    more: this process stays outside, waits, and exits with the command's status (128+signal if killed)."""
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWNET = 0x00020000, 0x20000000, 0x40000000
    for name, flag in (('net', CLONE_NEWNET), ('mnt', CLONE_NEWNS), ('pid', CLONE_NEWPID)):
        fd = os.open('/proc/%d/ns/%s' % (nspid, name), os.O_RDONLY)
        if libc.setns(fd, flag) != 0:
            raise OSError(ctypes.get_errno(), 'setns %s: %s' % (name, os.strerror(ctypes.get_errno())))
        os.close(fd)
    child = os.fork()
    if child == 0:
        return
    os.close(slave)
    for fd in (0, 1, 2):
        try:
            os.close(fd)
        except OSError:
            pass
    while True:
        try:
            _, st = os.waitpid(child, 0)
            break
        except InterruptedError:
            continue
    os._exit(exit_status(st))


def private_mounts(root):
    """In a mount namespace of this process tree only: /dev/pts (so tty(1) and ttyname work) and /proc inside the
    root. Everything vanishes with the last process; if mounting is not possible the command runs without them."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        CLONE_NEWNS, MS_BIND, MS_REC, MS_PRIVATE = 0x00020000, 4096, 16384, 1 << 18
        if libc.unshare(CLONE_NEWNS) != 0:
            return
        libc.mount(b'none', b'/', None, MS_REC | MS_PRIVATE, None)
        pts = os.path.join(root, 'dev/pts')
        if os.path.isdir(pts):
            libc.mount(b'/dev/pts', pts.encode(), None, MS_BIND, None)
        proc = os.path.join(root, 'proc')
        if os.path.isdir(proc):
            libc.mount(b'proc', proc.encode(), b'proc', 0, None)
    except Exception:  # noqa: BLE001 - best effort
        pass


def main():
    root, cwd, cols, rows, nspid, path = sys.argv[1:7]
    argv = sys.argv[7:]
    nspid = int(nspid)
    master, slave = pty.openpty()
    set_size(master, int(cols), int(rows))
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.set_wakeup_fd(wake_w)
    pid = os.fork()
    if pid == 0:
        try:
            signal.set_wakeup_fd(-1)
            for s in (signal.SIGPIPE, signal.SIGCHLD, signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(s, signal.SIG_DFL)
            os.close(master)
            if nspid:
                enter_container(nspid, slave)
            take_terminal(slave)
            os.closerange(3, 65536)
            if not nspid:
                private_mounts(root)
            os.chroot(root)
            os.chdir(cwd)
            os.execve(path, argv, dict(os.environ))
        except OSError as e:
            os.write(2, ('exec %s: %s\r\n' % (path, e.strerror)).encode())
        os._exit(127)
    os.close(slave)
    os.set_blocking(master, False)
    os.set_blocking(1, False)
    ctrl = 3
    try:
        os.fstat(ctrl)
    except OSError:
        ctrl = None
    stdin_open = True
    out_dead = False
    master_open = True
    pending = b''      # bytes for the terminal, not yet written
    out = bytearray()  # terminal output, not yet taken by our reader
    ctrl_buf = b''
    status = None

    def read_master():
        """Read what the terminal has; False once every slave fd is closed."""
        nonlocal out
        try:
            data = os.read(master, 65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not data:
            return False
        if not out_dead:
            out += data
        return True

    def flush_out():
        nonlocal out_dead
        try:
            n = os.write(1, out[:1 << 20])
            del out[:n]
        except BlockingIOError:
            pass
        except OSError:
            out_dead = True
            out.clear()

    # Input and output are independent, as in a container runtime: a client that stops reading output
    # blocks the command's output but not its input (Ctrl-C still arrives).
    while True:
        rlist = [wake_r]
        if master_open and len(out) < (256 << 10):
            rlist.append(master)
        if stdin_open and len(pending) < 65536:
            rlist.append(0)
        if ctrl is not None:
            rlist.append(ctrl)
        wlist = []
        if pending and master_open:
            wlist.append(master)
        if out and not out_dead:
            wlist.append(1)
        try:
            r, w, _ = select.select(rlist, wlist, [])
        except InterruptedError:
            continue
        if wake_r in r:
            try:
                os.read(wake_r, 4096)
            except OSError:
                pass
            try:
                done, st = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done, st = pid, 0
            if done == pid:
                status = st
                break
        if master in r and not read_master():
            master_open = False
            _, status = os.waitpid(pid, 0)
            break
        if 1 in w:
            flush_out()
        if master in w and pending:
            try:
                n = os.write(master, pending)
                pending = pending[n:]
            except BlockingIOError:
                pass
            except OSError:
                pending = b''
        if 0 in r:
            data = read_some(0, 65536)
            if data:
                pending += data
            else:
                stdin_open = False
        if ctrl is not None and ctrl in r:
            data = read_some(ctrl, 4096)
            if not data:
                ctrl = None
            else:
                ctrl_buf += data
                while b'\n' in ctrl_buf:
                    line, ctrl_buf = ctrl_buf.split(b'\n', 1)
                    parts = line.split()
                    if len(parts) == 2:
                        try:
                            set_size(master, int(parts[0]), int(parts[1]))
                        except (ValueError, OSError, struct.error):
                            pass
    # the command exited: hand over what it printed last, then exit with its status
    if master_open:
        while read_master() and len(out) < (64 << 20):
            r, _, _ = select.select([master], [], [], 0)
            if not r:
                break
    os.set_blocking(1, True)
    while out and not out_dead:
        flush_out()
    sys.exit(exit_status(status))


if __name__ == '__main__':
    main()
