#!/usr/bin/python3
"""One exec through python's kubernetes client (Debian python3-kubernetes), the way its users write it.

usage: /usr/bin/python3 pyexec.py SPEC_JSON
SPEC_JSON: {"kubeconfig", "context", "namespace", "pod", "container"?, "command": [...], "tty": bool, "stdin": bool,
"steps": [{"resize": [rows, cols]}, {"send": "text"}, {"until": "text", "repeat": "keys", "every": s}], "timeout": s}
Steps run in order; "until" sends `repeat` every `every` seconds until `text` shows on stdout (a resize and keys
travel on different channels, so the text, not a time, says the resize has landed). Then reads until the stream
closes. Prints {"stdout", "stderr", "code"} as JSON; code is the client's own `returncode` (from the status
channel); exits 124 on timeout.
"""
import json, sys, time

from kubernetes import client, config
from kubernetes.stream import stream
from kubernetes.stream.ws_client import RESIZE_CHANNEL


def main():
    spec = json.loads(sys.argv[1])
    config.load_kube_config(config_file=spec['kubeconfig'], context=spec['context'])
    kw = dict(command=spec['command'], stdin=spec.get('stdin', False), stdout=True, stderr=True,
              tty=spec.get('tty', False), _preload_content=False)
    if spec.get('container'):
        kw['container'] = spec['container']
    ws = stream(client.CoreV1Api().connect_get_namespaced_pod_exec, spec['pod'], spec.get('namespace', 'default'), **kw)
    deadline = time.time() + spec.get('timeout', 25)
    got = {'stdout': '', 'stderr': ''}

    def pump():
        if time.time() > deadline:
            print(json.dumps({**got, 'code': None, 'timeout': True}))
            sys.exit(124)
        ws.update(timeout=0.1)
        if ws.peek_stdout():
            got['stdout'] += ws.read_stdout()
        if ws.peek_stderr():
            got['stderr'] += ws.read_stderr()

    for st in spec.get('steps', []):
        if 'resize' in st:
            rows, cols = st['resize']
            ws.write_channel(RESIZE_CHANNEL, json.dumps({'Height': rows, 'Width': cols}))
        if 'send' in st:
            ws.write_stdin(st['send'])
        if 'until' in st:
            nxt = 0.0
            while st['until'] not in got['stdout']:
                if time.time() >= nxt:
                    ws.write_stdin(st['repeat'])
                    nxt = time.time() + st.get('every', 0.5)
                pump()
    while ws.is_open():
        pump()
    pump()
    print(json.dumps({**got, 'code': ws.returncode}))


main()
