import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireClient, type WireSocket } from './wireClient.ts';
import { decodeCallFrame, encodeJson, encodeTerminalData } from './wire.ts';

/** A socket the test drives by hand: what the client sent, and server messages pushed in. */
class FakeSocket implements WireSocket {
  readyState = 0;
  binaryType = 'blob';
  /** Calls as sent; a binary call's bytes in `bytes` (its header keeps the placeholder in `args`). */
  readonly sent: { t: string; id: number; method: string; args: unknown[]; bytes?: Uint8Array }[] = [];
  private readonly handlers = new Map<string, ((ev: never) => void)[]>();

  addEventListener(type: string, listener: (ev: never) => void): void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), listener]);
  }
  send(data: string | Uint8Array): void {
    if (typeof data === 'string') return void this.sent.push(JSON.parse(data) as FakeSocket['sent'][number]);
    const frame = decodeCallFrame(data, 1 << 16);
    assert.ok(frame.ok, 'a binary frame the client sends is a binary call');
    this.sent.push({ ...(JSON.parse(frame.header) as FakeSocket['sent'][number]), bytes: frame.data });
  }
  close(code = 1000, reason = ''): void {
    this.readyState = 3;
    this.fire('close', { code, reason });
  }
  open(): void {
    this.readyState = 1;
    this.fire('open', {});
  }
  push(data: unknown): void {
    this.fire('message', { data });
  }
  fire(type: string, ev: object): void {
    for (const h of this.handlers.get(type) ?? []) h(ev as never);
  }
}

function setup(opts: { onProblem?: (m: string, e?: unknown) => void } = {}) {
  const sockets: FakeSocket[] = [];
  const closes: string[] = [];
  const client = new WireClient({ socket: () => (sockets.push(new FakeSocket()), sockets[sockets.length - 1]), onClose: (r) => closes.push(r), ...opts });
  return { client, sockets, closes };
}

test('calls made before the socket opens are sent once it does; results and errors find their call by id', async () => {
  const { client, sockets } = setup();
  const opened = client.connect();
  const list = client.api.listClusters();
  const bad = client.call('constructor', []);
  const ws = sockets[0];
  assert.equal(ws.binaryType, 'arraybuffer', "a page's Blobs would arrive late");
  assert.equal(ws.sent.length, 0);
  ws.open();
  await opened;
  assert.equal(client.isOpen, true);
  assert.deepEqual(ws.sent.map((m) => [m.t, m.method, m.args]), [['call', 'listClusters', []], ['call', 'constructor', []]]);
  const [a, b] = ws.sent;
  assert.notEqual(a.id, b.id);
  ws.push(encodeJson({ t: 'error', id: b.id, message: 'unknown method constructor' }));
  ws.push(encodeJson({ t: 'result', id: a.id, value: { clusters: [], problems: [] } }));
  assert.deepEqual(await list, { clusters: [], problems: [] });
  await assert.rejects(bad, /unknown method constructor/);
});

test('events reach their listeners, terminal output from binary frames too (ArrayBuffer or a byte view)', async () => {
  const { client, sockets } = setup();
  const got: unknown[] = [];
  const off = client.api.on('terminal.state', (p) => got.push(p));
  client.api.on('terminal.data', (p) => got.push([p.id, new TextDecoder().decode(p.data)]));
  const opened = client.connect();
  sockets[0].open();
  await opened;
  sockets[0].push(encodeJson({ t: 'event', name: 'terminal.state', payload: { id: 't1', state: { state: 'connected' } } }));
  const frame = encodeTerminalData('t1', new TextEncoder().encode('hi'));
  sockets[0].push(frame.slice().buffer);
  sockets[0].push(Buffer.concat([Buffer.from('xx'), frame]).subarray(2));
  off();
  sockets[0].push(encodeJson({ t: 'event', name: 'terminal.state', payload: { id: 't1', state: { state: 'exited', exitCode: 0 } } }));
  assert.deepEqual(got, [{ id: 't1', state: { state: 'connected' } }, ['t1', 'hi'], ['t1', 'hi']]);
});

test('a close rejects the calls in flight and says why; connecting again keeps the listeners', async () => {
  const { client, sockets, closes } = setup();
  let events = 0;
  client.on('clusters.changed', () => events++);
  const opened = client.connect();
  sockets[0].open();
  await opened;
  const pending = client.api.listPods('c', 'ns');
  sockets[0].fire('error', { message: 'Unexpected server response: 401' });
  sockets[0].close(1006);
  await assert.rejects(pending, /lost before the answer/);
  assert.deepEqual(closes, ['Unexpected server response: 401']);

  const failed = client.connect();
  sockets[1].close(1006);
  await assert.rejects(failed, /connection closed/);
  const again = client.connect();
  sockets[2].open();
  await again;
  sockets[2].push(encodeJson({ t: 'event', name: 'clusters.changed', payload: {} }));
  assert.equal(events, 1);
  assert.deepEqual(closes, ['Unexpected server response: 401', 'connection closed']);
});

test('a socket that cannot be made is a failed attempt, reported like a close', async () => {
  const closes: string[] = [];
  const client = new WireClient({ socket: () => { throw new Error('bad URL'); }, onClose: (r) => closes.push(r) });
  await assert.rejects(client.connect(), /bad URL/);
  assert.deepEqual(closes, ['bad URL']);
});

test('close() ends the client: what waits is rejected, later calls are refused', async () => {
  const { client, sockets } = setup();
  const queued = client.api.listClusters();
  client.close();
  await assert.rejects(queued, /this client was closed/);
  assert.equal(sockets[0], undefined);
  await assert.rejects(client.api.listClusters(), /closed/);
  await assert.rejects(client.connect(), /closed/);

  const other = setup();
  const opened = other.client.connect();
  other.sockets[0].open();
  await opened;
  const inFlight = other.client.api.listClusters();
  other.client.close();
  await assert.rejects(inFlight, /lost before the answer/);
});

test('a malformed message or a failing listener is reported; the other listeners still run', async () => {
  const problems: string[] = [];
  const { client, sockets } = setup({ onProblem: (m) => problems.push(m) });
  let second = 0;
  client.on('audit.appended', () => {
    throw new Error('boom');
  });
  client.on('audit.appended', () => second++);
  const opened = client.connect();
  sockets[0].open();
  await opened;
  sockets[0].push('{not json');
  sockets[0].push(encodeJson({ t: 'event', name: 'audit.appended', payload: {} }));
  assert.deepEqual(problems, ['ignoring a malformed message from the server', 'a listener of audit.appended failed']);
  assert.equal(second, 1);
});

test('a call with bytes goes as a binary call frame: the header holds a placeholder, the bytes follow as they are', async () => {
  const { client, sockets } = setup();
  const opened = client.connect();
  const bytes = new Uint8Array([0, 1, 2, 255, 0x7b, 0x22]);
  const early = client.api.stageUpload('a.bin', bytes, 0, false);
  sockets[0].open();
  await opened;
  const late = client.api.stageUpload('a.bin', new Uint8Array(0), 6, true);
  const [a, b] = sockets[0].sent;
  assert.deepEqual([a.method, a.args, [...a.bytes!]], ['stageUpload', ['a.bin', { $bytes: 6 }, 0, false], [0, 1, 2, 255, 0x7b, 0x22]]);
  assert.deepEqual([b.args, b.bytes!.length], [['a.bin', { $bytes: 0 }, 6, true], 0]);
  sockets[0].push(encodeJson({ t: 'result', id: a.id, value: { path: '/tmp/a' } }));
  sockets[0].push(encodeJson({ t: 'result', id: b.id, value: { path: '/tmp/a' } }));
  assert.deepEqual(await early, { path: '/tmp/a' });
  assert.deepEqual(await late, { path: '/tmp/a' });
});

test('bytes the wire cannot carry are refused at the caller, and nothing is sent', async () => {
  const { client, sockets } = setup();
  const opened = client.connect();
  sockets[0].open();
  await opened;
  await assert.rejects(client.call('stageUpload', [new Uint8Array(1), new Uint8Array(1)]), /at most one bytes argument/);
  await assert.rejects(client.call('startTransfer', [{ data: new Uint8Array(1) }]), /only as a top-level call argument/);
  assert.equal(sockets[0].sent.length, 0);
  // A server answer is parsed as plain JSON: a {"$bytes"} value in it stays an object, nothing revives it.
  const call = client.api.listTransfers();
  sockets[0].push(JSON.stringify({ t: 'result', id: sockets[0].sent[0].id, value: [{ $bytes: 'AAAA' }] }));
  assert.deepEqual(await call, [{ $bytes: 'AAAA' }]);
});
