// The second exec beside a shell, with a fake exec: the kill script gets the pid, a kill is bounded
// in time and never throws, and the working directory is only believed when it is an absolute path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { killRemoteTree, remoteCwd, type RunBeside } from './shellProcess.ts';
import { CWD_SCRIPT, KILL_TREE_SCRIPT, SH } from './shell.ts';

function recording(answer: () => Promise<{ exitCode: number; stdout: string }>): { run: RunBeside; calls: { command: string[]; timeoutMs: number }[] } {
  const calls: { command: string[]; timeoutMs: number }[] = [];
  return {
    calls,
    run: (command, opts) => {
      calls.push({ command, timeoutMs: opts.timeoutMs });
      return answer();
    },
  };
}

describe('remote process of a terminal', () => {
  it('kills the tree of the given pid, and does nothing without one', async () => {
    const { run, calls } = recording(async () => ({ exitCode: 0, stdout: '' }));
    await killRemoteTree(run, undefined);
    assert.equal(calls.length, 0);
    await killRemoteTree(run, 42);
    assert.deepEqual(calls, [{ command: [SH, '-c', KILL_TREE_SCRIPT, 'kubedeck', '42'], timeoutMs: 8000 }]);
  });

  it('gives up after its time limit, and swallows failures', async () => {
    const silent = recording(() => new Promise(() => undefined));
    const t0 = Date.now();
    await killRemoteTree(silent.run, 7, 50);
    assert.ok(Date.now() - t0 < 2000);
    const failing = recording(() => Promise.reject(new Error('pod gone')));
    await killRemoteTree(failing.run, 7);
    const throwing: RunBeside = () => {
      throw new Error('unknown context');
    };
    await killRemoteTree(throwing, 7);
  });

  it('says whether the shell is known gone, so that a caller keeps the pid otherwise', async () => {
    assert.equal(await killRemoteTree(recording(async () => ({ exitCode: 0, stdout: '' })).run, 7), true);
    assert.equal(await killRemoteTree(recording(() => Promise.reject(new Error('unreachable'))).run, 7), false);
    assert.equal(await killRemoteTree(recording(() => new Promise(() => undefined)).run, 7, 20), false);
    assert.equal(await killRemoteTree(recording(async () => ({ exitCode: 0, stdout: '' })).run, undefined), true);
  });

  it('reads the working directory only when the answer is an absolute path', async () => {
    const ok = recording(async () => ({ exitCode: 0, stdout: '/tmp\n' }));
    assert.equal(await remoteCwd(ok.run, 9), '/tmp');
    assert.deepEqual(ok.calls, [{ command: [SH, '-c', CWD_SCRIPT, 'kubedeck', '9'], timeoutMs: 10_000 }]);
    assert.equal(await remoteCwd(ok.run, undefined), undefined);
    assert.equal(await remoteCwd(recording(async () => ({ exitCode: 1, stdout: '/tmp' })).run, 9), undefined);
    assert.equal(await remoteCwd(recording(async () => ({ exitCode: 0, stdout: 'readlink: no such file' })).run, 9), undefined);
    assert.equal(await remoteCwd(recording(() => Promise.reject(new Error('gone'))).run, 9), undefined);
  });
});
