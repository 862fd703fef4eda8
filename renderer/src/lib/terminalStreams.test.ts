import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TerminalState } from '../../../common/contract/index.ts';
import { StreamRouter, type RouterOptions, type Sink } from './terminalStreams.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (chunks: Uint8Array[]) => chunks.map((c) => new TextDecoder().decode(c)).join('');

function sink(size = { cols: 80, rows: 24 }) {
  const written: { id: string; data: Uint8Array }[] = [];
  const notes: string[] = [];
  const s: Sink = {
    write: (id, data) => void written.push({ id, data }),
    snapshot: (id, snap) => void written.push({ id, data: new TextEncoder().encode(`[snapshot ${snap.cols}x${snap.rows}]${snap.data}`) }),
    note: (t) => void notes.push(t),
    size: () => size,
  };
  return { sink: s, written, notes, text: () => text(written.map((w) => w.data)) };
}

function router(opts: Partial<RouterOptions> = {}) {
  const states: [string, TerminalState][] = [];
  const first: string[] = [];
  const acks: [string, number][] = [];
  let later: (() => void)[] = [];
  const r = new StreamRouter({
    ack: (id, n) => void acks.push([id, n]),
    onState: (key, st) => void states.push([key, st]),
    onFirstOutput: (key) => void first.push(key),
    defer: (fn) => void later.push(fn),
    ...opts,
  });
  const runLater = () => {
    const fns = later;
    later = [];
    for (const fn of fns) fn();
  };
  return { r, states, first, acks, runLater };
}

test('output of a bound session with an attached pane goes straight to it', () => {
  const { r, first } = router();
  const p = sink();
  r.attach('s1', p.sink);
  r.bind('s1', 'id1');
  r.data('id1', bytes('hello'));
  r.data('id1', bytes(' world'));
  assert.equal(p.text(), 'hello world');
  assert.deepEqual(p.written.map((w) => w.id), ['id1', 'id1']);
  assert.deepEqual(first, ['s1']);
});

test('output before the id is bound waits, in order, until it is (pane attached first)', () => {
  const { r } = router();
  const p = sink();
  r.attach('s1', p.sink);
  r.data('id1', bytes('$ '));
  r.data('id1', bytes('prompt'));
  assert.equal(p.text(), '');
  r.bind('s1', 'id1');
  assert.equal(p.text(), '$ prompt');
  r.data('id1', bytes('!'));
  assert.equal(p.text(), '$ prompt!');
});

test('output before the pane attaches waits until it does (id bound first)', () => {
  const { r, first } = router();
  r.bind('s1', 'id1');
  r.data('id1', bytes('early'));
  const p = sink();
  r.attach('s1', p.sink);
  assert.equal(p.text(), 'early');
  // Backlogged output does not count as the pane's first output: the next chunk does.
  assert.deepEqual(first, []);
  r.data('id1', bytes('.'));
  assert.deepEqual(first, ['s1']);
});

test('the backlog is bounded across sessions; released sessions give their share back', () => {
  const { r } = router({ backlogLimit: 10 });
  r.data('a', bytes('123456'));
  r.data('b', bytes('12345'));
  r.data('b', bytes('1234'));
  r.release('nobody');
  r.bind('sa', 'a');
  r.release('sa');
  r.data('b', bytes('abcd'));
  const p = sink();
  r.bind('sb', 'b');
  r.attach('sb', p.sink);
  assert.equal(p.text(), '1234abcd');
});

test('forgetting an id drops its output and frees the backlog', () => {
  const { r } = router({ backlogLimit: 4 });
  r.data('x', bytes('1234'));
  r.forget('x');
  r.data('y', bytes('abcd'));
  const p = sink();
  r.attach('k', p.sink);
  r.bind('k', 'y');
  assert.equal(p.text(), 'abcd');
  const q = sink();
  r.attach('k2', q.sink);
  r.bind('k2', 'x');
  assert.equal(q.text(), '');
});

test('state events reach a bound session; earlier ones are handed over at binding, once', () => {
  const { r, states } = router();
  r.state('id1', { state: 'exited', exitCode: 1 });
  assert.deepEqual(states, []);
  assert.deepEqual(r.bind('s1', 'id1'), { state: 'exited', exitCode: 1 });
  assert.equal(r.bind('s1', 'id1'), undefined);
  r.state('id1', { state: 'connected' });
  assert.deepEqual(states, [['s1', { state: 'connected' }]]);
});

test('binding a key to a new id forgets the old one', () => {
  const { r, states } = router();
  const p = sink();
  r.attach('s1', p.sink);
  r.bind('s1', 'old');
  r.bind('s1', 'new');
  r.data('old', bytes('stale'));
  r.state('old', { state: 'connected' });
  r.data('new', bytes('fresh'));
  assert.equal(p.text(), 'fresh');
  assert.deepEqual(states, []);
});

test('releasing a session stops its output; a stale detach leaves a newer pane attached', () => {
  const { r } = router();
  const p1 = sink();
  const p2 = sink();
  const detach1 = r.attach('s1', p1.sink);
  r.attach('s1', p2.sink);
  detach1();
  assert.equal(r.sink('s1'), p2.sink);
  r.bind('s1', 'id1');
  r.release('s1');
  assert.equal(r.sink('s1'), undefined);
  r.data('id1', bytes('gone'));
  assert.equal(p2.text(), '');
  // And what it would have buffered is not handed to a later pane on the same key.
  r.attach('s1', p1.sink);
  assert.equal(p1.text(), '');
});

test('acknowledgements are batched: one call per session per tick, with the sum', () => {
  const { r, acks, runLater } = router();
  r.ack('a', 10);
  r.ack('b', 5);
  r.ack('a', 7);
  assert.deepEqual(acks, []);
  runLater();
  assert.deepEqual(acks, [['a', 17], ['b', 5]]);
  r.ack('a', 1);
  runLater();
  assert.deepEqual(acks, [['a', 17], ['b', 5], ['a', 1]]);
  runLater();
  assert.equal(acks.length, 3);
});

test('without a defer option, acknowledgements go out on the next macrotask', async () => {
  const acks: [string, number][] = [];
  const r = new StreamRouter({ ack: (id, n) => void acks.push([id, n]), onState: () => {}, onFirstOutput: () => {} });
  r.ack('a', 3);
  r.ack('a', 4);
  await Promise.resolve();
  assert.deepEqual(acks, []);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.deepEqual(acks, [['a', 7]]);
});

test('a snapshot that comes before its pane replaces the output that waited, and what follows it stays in order', () => {
  const { r } = router();
  const p = sink();
  r.data('id1', bytes('old output'));
  r.snapshot({ id: 'id1', cols: 100, rows: 30, data: 'SCREEN' });
  r.data('id1', bytes(' then live'));
  r.bind('s1', 'id1');
  r.attach('s1', p.sink);
  assert.equal(p.text(), '[snapshot 100x30]SCREEN then live');
});

test('a snapshot for a shown pane goes straight to it', () => {
  const { r } = router();
  const p = sink();
  r.attach('s1', p.sink);
  r.bind('s1', 'id1');
  r.data('id1', bytes('a'));
  r.snapshot({ id: 'id1', cols: 80, rows: 24, data: 'B' });
  assert.equal(p.text(), 'a[snapshot 80x24]B');
});
