// The share-link guard: every method of the contract is either in a link's scope or refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { METHOD_NAMES } from '../../common/contract/index.ts';
import { checkShareCall, shareEventAllowed, type ShareScope } from './shareScope.ts';

const ref = { context: 'c', namespace: 'n', pod: 'p', container: 'main' };
const refOf = (id: string) => (id === 'in' ? ref : id === 'out' ? { ...ref, pod: 'other' } : undefined);
const ok = (s: ShareScope, m: string, ...args: unknown[]) => checkShareCall(s, m, args, refOf).ok;

describe('share scope', () => {
  const view: ShareScope = { mode: 'view', terminal: 'in', files: false };
  const control: ShareScope = { mode: 'control', container: ref, files: true };

  it('a view link to one terminal: watch it, nothing else — no typing, no resize', () => {
    assert.ok(ok(view, 'attachTerminal', 'in', 80, 24));
    assert.ok(ok(view, 'ackTerminal', 'in', 10));
    assert.ok(!ok(view, 'attachTerminal', 'out', 80, 24));
    assert.ok(!ok(view, 'writeTerminal', 'in', 'x'));
    assert.ok(!ok(view, 'resizeTerminal', 'in', 1, 1));
    assert.ok(!ok(view, 'openTerminal', { ...ref }));
    assert.ok(!ok(view, 'closeTerminal', 'in'));
  });

  it('a control link to a container: its terminals and files only', () => {
    assert.ok(ok(control, 'openTerminal', { ...ref, cols: 1, rows: 1 }));
    assert.ok(!ok(control, 'openTerminal', { ...ref, container: 'sidecar' }));
    assert.ok(ok(control, 'writeTerminal', 'in', 'x'));
    assert.ok(!ok(control, 'writeTerminal', 'out', 'x'));
    assert.ok(ok(control, 'listDir', { kind: 'container', ...ref }, '/'));
    assert.ok(ok(control, 'deletePaths', { kind: 'container', ...ref }, ['/tmp/x']));
    assert.ok(!ok(control, 'listDir', { kind: 'local' }, '/'));
    assert.ok(!ok(control, 'listDir', { kind: 'container', ...ref, through: 'sidecar' }, '/'), 'through would exec in another container of the pod');
    assert.ok(!ok({ ...control, files: false }, 'listDir', { kind: 'container', ...ref }, '/'));
    assert.ok(!ok({ ...control, mode: 'view' }, 'deletePaths', { kind: 'container', ...ref }, ['/tmp/x']));
  });

  it('refuses every owner-only method of the contract, whatever the link', () => {
    const allowed = new Set(['attachTerminal', 'detachTerminal', 'setTerminalVisible', 'ackTerminal', 'terminalCwd', 'writeTerminal', 'resizeTerminal', 'closeTerminal', 'reconnectTerminal', 'openTerminal', 'listDir', 'homeDir', 'makeDir', 'renamePath', 'deletePaths', 'listTerminals', 'listSessions', 'shareSession']);
    for (const m of METHOD_NAMES) {
      if (allowed.has(m)) continue;
      for (const s of [view, control]) assert.equal(ok(s, m, { kind: 'container', ...ref }, 'in'), false, m);
    }
    assert.ok(!shareEventAllowed('clusters.pods'));
    assert.ok(!shareEventAllowed('share.viewer'));
    assert.ok(!shareEventAllowed('audit.appended'));
    assert.ok(shareEventAllowed('terminal.data'));
  });
});
