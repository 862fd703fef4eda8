// The no-shell detector against what real runtimes and shells print, without a cluster.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { looksLikeNoShell } from './noShell.ts';

test('the runtime saying the shell is missing counts', () => {
  const runc = (why: string) =>
    `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "ab12": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`;
  assert.ok(looksLikeNoShell(runc('exec: "/bin/sh": stat /bin/sh: no such file or directory')));
  assert.ok(looksLikeNoShell(runc('exec: "sh": executable file not found in $PATH')));
  assert.ok(looksLikeNoShell('OCI runtime exec failed: container_linux.go:380: starting container process caused: exec: \\"sh\\": executable file not found in $PATH: unknown'));
  assert.ok(looksLikeNoShell('crun: executable file `sh` not found in $PATH: No such file or directory: OCI runtime attempted to invoke a command that was not found'));
  // Docker-era runtimes: an exit code and nothing said.
  assert.ok(looksLikeNoShell(undefined, 127));
  assert.ok(looksLikeNoShell(undefined, 126, ''));
});

test('other failures do not', () => {
  assert.ok(!looksLikeNoShell('404 Not Found: pods "shell" not found'));
  assert.ok(!looksLikeNoShell('403 Forbidden: pods "sh" is forbidden: cannot create resource "pods/exec"'));
  assert.ok(!looksLikeNoShell('connection lost (code 1006)', -1));
  // A shell that exists says so itself when a command inside it is missing.
  assert.ok(!looksLikeNoShell(undefined, 127, 'sh: 1: sha256sum: not found'));
  assert.ok(!looksLikeNoShell(undefined, 1));
  assert.ok(!looksLikeNoShell('exec: "sh": executable file not found in $PATH', 0));
});
