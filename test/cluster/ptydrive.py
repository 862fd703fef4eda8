#!/usr/bin/env python3
"""Run a program under a pseudo-terminal of a known size, like a person at a terminal.

usage: ptydrive.py SCRIPT_JSON
SCRIPT_JSON: {"argv": [...], "rows": R, "cols": C, "steps": [{"wait": "text", "resize": [rows, cols], "sleep": s,
"send": "text"}...], "timeout": seconds}
Each step first waits for its text in the output (if given), then resizes (SIGWINCH reaches the program), sleeps,
sends; {"until": "text", "repeat": "keys", "every": s} sends keys every s seconds until text shows. Prints the program's whole terminal output to stdout; exits with the program's exit code (124 on timeout).
"""
import json, os, pty, select, signal, sys, time

from ptyhelper import exit_status, read_some, set_size, take_terminal


def main():
    spec = json.loads(sys.argv[1])
    fd, slave = pty.openpty()
    set_size(slave, spec['cols'], spec['rows'])
    pid = os.fork()
    if pid == 0:
        os.close(fd)
        take_terminal(slave)
        if slave > 2:
            os.close(slave)
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
        os.execvp(spec['argv'][0], spec['argv'])
    os.close(slave)
    out = b''
    steps = list(spec.get('steps', []))
    deadline = time.time() + spec.get('timeout', 30)
    done = False
    while not done:
        if steps and 'wait_or_timer' not in steps[0] and ('wait' not in steps[0] or steps[0]['wait'].encode() in out):
            st = steps.pop(0)
            if 'resize' in st:
                r, c = st['resize']
                set_size(fd, c, r)
                os.kill(pid, signal.SIGWINCH)
            if 'sleep' in st:
                time.sleep(st['sleep'])
            if 'send' in st:
                os.write(fd, st['send'].encode())
            if 'until' in st:
                # keep sending `repeat` every `every` seconds until `until` shows up
                steps.insert(0, {'wait_or_timer': st['until'], 'repeat': st['repeat'], 'every': st.get('every', 0.5),
                                 'next': time.time() + st.get('every', 0.5)})
            continue
        if steps and 'wait_or_timer' in steps[0]:
            st = steps[0]
            if st['wait_or_timer'].encode() in out:
                steps.pop(0)
                continue
            if time.time() >= st['next']:
                os.write(fd, st['repeat'].encode())
                st['next'] = time.time() + st['every']
        left = deadline - time.time()
        if left <= 0:
            os.kill(pid, signal.SIGKILL)
            sys.stdout.buffer.write(out)
            sys.exit(124)
        r, _, _ = select.select([fd], [], [], min(left, 0.2))
        if r:
            data = read_some(fd, 65536)
            if not data:
                done = True
            out += data
    _, status = os.waitpid(pid, 0)
    sys.stdout.buffer.write(out)
    sys.exit(exit_status(status))


if __name__ == '__main__':
    main()
