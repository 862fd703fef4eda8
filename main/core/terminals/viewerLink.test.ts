import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ViewerLink, type TerminalViewer } from './viewerLink.ts';

function viewer(): TerminalViewer & { got: string[] } {
  const got: string[] = [];
  return { id: 'v', who: 'test', got, emit: (name, p) => void (name === 'terminal.data' && got.push(Buffer.from((p as { data: Uint8Array }).data).toString())) };
}

describe('viewer link', () => {
  it('stops sending past its window and asks for a snapshot once caught up', () => {
    const v = viewer();
    const link = new ViewerLink(v, 's1', 4, 1);
    link.deliver(Buffer.from('abc'));
    link.deliver(Buffer.from('de'));
    assert.equal(link.state, 'behind');
    link.deliver(Buffer.from('dropped'));
    assert.deepEqual(v.got, ['abc', 'de']);
    assert.equal(link.ack(3), false, 'still behind');
    assert.equal(link.ack(2), true, 'caught up: resync');
  });

  it('holds output during a snapshot and sends it right after, in order', () => {
    const v = viewer();
    const link = new ViewerLink(v, 's1');
    link.beginSync();
    link.deliver(Buffer.from('1'));
    link.deliver(Buffer.from('2'));
    assert.deepEqual(v.got, []);
    link.endSync();
    assert.deepEqual(v.got, ['1', '2']);
    assert.equal(link.state, 'live');
  });

  it('a hidden viewer gets nothing, also what came during a snapshot', () => {
    const v = viewer();
    const link = new ViewerLink(v, 's1');
    link.beginSync();
    link.deliver(Buffer.from('x'));
    link.hide();
    link.endSync();
    link.deliver(Buffer.from('y'));
    assert.deepEqual(v.got, []);
    assert.equal(link.state, 'hidden');
  });
});
