// Serve mode under hostile messages: malformed, wrongly typed, huge and flooding frames get an error answer
// or close their own connection, never take the server down, and another client's valid call is answered
// within 100 ms once the attack has been dealt with. No cluster is needed: listClusters answers from the
// kubeconfig alone.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { Kubedeck } from '../core/kubedeck.ts';
import { encodeCall } from '../../common/wire/wire.ts';
import { MAX_FRAME_BYTES } from './callSchema.ts';
import { startServer, type ServeHandle } from './server.ts';

/** The cluster is a TCP port that accepts and never answers, so that calls reaching it stay in flight. */
const kubeconfig = (port: number): string => `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}"}}]
users: [{name: u, user: {token: t}}]
contexts: [{name: fuzz, context: {cluster: c, user: u}}]
current-context: fuzz
`;

interface Answer { t: string; id: number; message?: string; value?: unknown }

/** A raw client: sends any frame, collects answers, knows when it was closed and with which code. */
class RawClient {
  readonly answers: Answer[] = [];
  closeCode?: number;
  readonly closed: Promise<number>;
  private waiters: (() => void)[] = [];
  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer, isBinary) => {
      if (isBinary) return;
      this.answers.push(JSON.parse(raw.toString()) as Answer);
      for (const w of this.waiters.splice(0)) w();
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((r) => ws.on('close', (code) => r((this.closeCode = code))));
  }
  static async open(server: ServeHandle): Promise<RawClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    return new RawClient(ws);
  }
  send(frame: string | Buffer, binary = false): void {
    this.ws.send(frame, { binary });
  }
  /** Waits until `n` answers have arrived (or the socket closed). */
  async answered(n: number, ms = 10_000): Promise<void> {
    const end = Date.now() + ms;
    while (this.answers.length < n && this.closeCode === undefined) {
      if (Date.now() > end) throw new Error(`only ${this.answers.length} of ${n} answers`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 50);
      });
    }
  }
}

/** The 60 MB frame of the issue, built as bytes (one buffer, not a 60 MB string in this process's heap). */
function hugeArrayFrame(bytes: number): Buffer {
  const head = Buffer.from('{"t":"call","id":1,"method":"listClusters","args":[[0');
  const buf = Buffer.alloc(bytes, ',0');
  head.copy(buf);
  buf.write(']]}', bytes - 3);
  return buf;
}

/**
 * A binary call built by hand, so that it can lie: `header` as JSON text (or an object), then the bytes;
 * `headerLength` overrides the length the frame states.
 */
function binaryCall(header: string | Buffer | object, data: Uint8Array = new Uint8Array(0), headerLength?: number): Buffer {
  const h = Buffer.isBuffer(header) ? header : Buffer.from(typeof header === 'string' ? header : JSON.stringify(header));
  const prefix = Buffer.alloc(5);
  prefix[0] = 2;
  prefix.writeUInt32BE(headerLength ?? h.length, 1);
  return Buffer.concat([prefix, h, data]);
}

function randomValue(depth = 0): unknown {
  const r = Math.random();
  if (depth > 2 || r < 0.2) return [null, true, 0, -1, 1e308, '', 'x', 'constructor', '__proto__'][Math.floor(Math.random() * 9)];
  if (r < 0.4) return { toString: 1, valueOf: {}, $bytes: Math.random() < 0.5 ? 'AAAA' : 7 };
  if (r < 0.6) return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomValue(depth + 1));
  if (r < 0.8) return { context: randomValue(depth + 1), namespace: randomValue(depth + 1), kind: 'container' };
  return { [String(Math.random())]: randomValue(depth + 1) };
}

const METHODS = ['listClusters', 'writeTerminal', 'stageUpload', 'listDir', 'deletePaths', 'setRecordingSettings', 'nope', 'hasOwnProperty'];

describe('serve mode under hostile messages', () => {
  let dir: string;
  let kubedeck: Kubedeck;
  let server: ServeHandle;
  let silent: Server;
  const sockets = new Set<Socket>();

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-fuzz-'));
    silent = createServer((s) => {
      sockets.add(s);
      s.on('error', () => undefined);
    });
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    await writeFile(join(dir, 'kubeconfig'), kubeconfig((silent.address() as { port: number }).port));
    kubedeck = new Kubedeck({ dataDir: join(dir, 'data'), kubeconfig: join(dir, 'kubeconfig') });
    server = await startServer({ kubedeck, port: 0, staticDir: dir });
  });

  after(async () => {
    await server?.close();
    await kubedeck?.shutdown();
    for (const s of sockets) s.destroy();
    silent?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  /** A valid call from a fresh, well-behaved client, timed from send to answer. */
  async function validCallLatency(): Promise<number> {
    const good = await RawClient.open(server);
    try {
      const t0 = performance.now();
      good.send('{"t":"call","id":1,"method":"listClusters","args":[]}');
      await good.answered(1);
      const ms = performance.now() - t0;
      assert.equal(good.answers[0].t, 'result');
      assert.deepEqual((good.answers[0].value as { clusters: { context: string }[] }).clusters.map((c) => c.context), ['fuzz']);
      return ms;
    } finally {
      good.ws.close();
    }
  }

  it('answers the issue\'s crashing messages with an error and keeps serving', async () => {
    const c = await RawClient.open(server);
    const frames = [
      '{"t":"call","id":1,"method":{"toString":1},"args":[]}',
      '{"t":"call","id":2,"method":[{"toString":1}],"args":[]}',
      '{"t":"call","id":3,"method":"listPods","args":[{"toString":1},"default"]}',
      '{"t":"call","id":4,"method":"constructor","args":[]}',
      '{"t":"call","id":5,"method":"listClusters","args":"x"}',
      '{"t":"call","id":6,"method":"stageUpload","args":["a",[1,2],0,true]}',
      '{"t":"call","id":{"toString":1},"method":"listClusters","args":[]}',
      'not json',
      'null',
      '[1,2]',
    ];
    for (const f of frames) c.send(f);
    await c.answered(frames.length);
    assert.equal(c.closeCode, undefined, 'the connection stays open');
    assert.ok(c.answers.every((a) => a.t === 'error'), JSON.stringify(c.answers));
    assert.deepEqual(c.answers.slice(0, 6).map((a) => a.id), [1, 2, 3, 4, 5, 6]);
    assert.match(c.answers[0].message!, /method must be a string/);
    assert.match(c.answers[2].message!, /listPods: argument 1 must be a string/);
    assert.match(c.answers[3].message!, /unknown method/);
    assert.match(c.answers[5].message!, /stageUpload: argument 2 must be bytes/);
    // The same connection still works.
    c.send('{"t":"call","id":7,"method":"listClusters","args":[]}');
    await c.answered(frames.length + 1);
    assert.equal(c.answers.at(-1)!.t, 'result');
    c.ws.close();
    assert.ok((await validCallLatency()) < 100);
  });

  it('refuses a 60 MB frame before buffering it (1009) and answers another client within 100 ms', async () => {
    const attacker = await RawClient.open(server);
    attacker.send(hugeArrayFrame(60 * 1024 * 1024));
    assert.equal(await attacker.closed, 1009);
    const ms = await validCallLatency();
    assert.ok(ms < 100, `a valid call took ${ms.toFixed(1)} ms after the attack`);
  });

  it('refuses frames over their method\'s limit before parsing them, and $bytes floods cost nothing to revive', async () => {
    const c = await RawClient.open(server);
    // Under the frame cap but far over listClusters' limit: refused by the head, not parsed.
    c.send(hugeArrayFrame(MAX_FRAME_BYTES - 16));
    // A head that hides the method is held to the small default.
    c.send(`{"args":[${'0,'.repeat(100_000)}0],"t":"call","id":2,"method":"listClusters"}`);
    // As many {"$bytes"} objects as fit in an upload frame, where the contract has no bytes: no reviver runs over them.
    const many = Array.from({ length: (MAX_FRAME_BYTES / 20) | 0 }, () => '{"$bytes":"AAAA"}').join(',');
    const t0 = performance.now();
    c.send(`{"t":"call","id":3,"method":"stageUpload","args":["f",[${many}],0,true]}`.slice(0, MAX_FRAME_BYTES));
    c.send(`{"t":"call","id":4,"method":"writeTerminal","args":["t","${'x'.repeat(300 * 1024)}"]}`);
    c.send(Buffer.from('{"t":"call","id":5,"method":"listClusters","args":[]}'), true);
    await c.answered(5);
    assert.ok(performance.now() - t0 < 2000);
    assert.equal(c.closeCode, undefined);
    assert.match(c.answers[0].message!, /message too large: \d+ bytes, listClusters allows 16384/);
    assert.match(c.answers[1].message!, /message too large/);
    // A text frame can carry no bytes: stageUpload in text is held to the small limit, never parsed at upload size.
    assert.match(c.answers[2].message!, /message too large: \d+ bytes, stageUpload allows 16384 in a text frame/);
    assert.match(c.answers[3].message!, /message too large: \d+ bytes, writeTerminal allows 262144/);
    assert.match(c.answers[4].message!, /binary messages must be calls \(type 2, got 123\)/);
    c.ws.close();
    assert.ok((await validCallLatency()) < 100);
  });

  it('answers adversarial binary calls with an error each, takes a good one, and keeps serving', async () => {
    const c = await RawClient.open(server);
    const three = new Uint8Array([1, 2, 3]);
    const head = (id: unknown, method: unknown, args: unknown) => ({ t: 'call', id, method, args });
    const good = head(30, 'stageUpload', ['a.bin', { $bytes: 3 }, 0, true]);
    const frames: Buffer[] = [
      Buffer.alloc(0),
      Buffer.from([2]),
      Buffer.from([2, 0, 0]),
      // Lying lengths: a header length past the frame's end, a huge one, one that cuts the header short.
      binaryCall(good, three, 10_000),
      binaryCall(good, three, 0xffffffff),
      binaryCall(good, three, 20),
      // The placeholder announces more or fewer bytes than the frame carries, or is not a placeholder.
      binaryCall(head(9, 'stageUpload', ['a.bin', { $bytes: 4 }, 0, true]), three),
      binaryCall(head(10, 'stageUpload', ['a.bin', { $bytes: 3, x: 1 }, 0, true]), three),
      binaryCall(head(11, 'stageUpload', ['a.bin', { $bytes: 'AAAA' }, 0, true]), three),
      binaryCall(head(12, 'stageUpload', ['a.bin', 3, 0, true]), three),
      // Huge or broken ids.
      binaryCall('{"t":"call","id":99999999999999999999,"method":"stageUpload","args":["a.bin",{"$bytes":3},0,true]}', three),
      binaryCall(head(1e300, 'stageUpload', ['a.bin', { $bytes: 3 }, 0, true]), three),
      binaryCall(head(-1, 'stageUpload', ['a.bin', { $bytes: 3 }, 0, true]), three),
      // The wrong method for bytes, or no method of the contract.
      binaryCall(head(15, 'listClusters', []), three),
      binaryCall(head(16, 'writeTerminal', ['t', { $bytes: 3 }]), three),
      binaryCall(head(17, 'constructor', []), three),
      binaryCall(head(18, { toString: 1 }, []), three),
      // Headers that are not JSON, not UTF-8, or too big to be a header at all.
      binaryCall('{"t":"call","id":19,"method":"stageUpload","args":[', three),
      binaryCall(Buffer.from([0x7b, 0xff, 0xfe]), three),
      binaryCall({ ...good, pad: 'x'.repeat(20_000) }, three),
      // A non-bytes method named in the header holds the whole frame to its own small limit.
      binaryCall(head(21, 'listClusters', []), new Uint8Array(100_000)),
    ];
    for (const f of frames) c.send(f, true);
    await c.answered(frames.length);
    assert.equal(c.closeCode, undefined, 'the connection stays open');
    assert.ok(c.answers.every((a) => a.t === 'error'), JSON.stringify(c.answers));
    const said = c.answers.map((a) => `${a.id} ${a.message}`);
    const expected = [
      /^-1 binary messages must be calls \(type 2, got nothing\)/,
      /^-1 binary call of 1 bytes is too short/,
      /^-1 binary call of 3 bytes is too short/,
      /^-1 binary call header says 10000 bytes, the frame has \d+/,
      /^-1 binary call header of 4294967295 bytes is over the 16384 allowed/,
      /^-1 binary call header is not JSON/,
      /^9 stageUpload: argument 2 announces 4 bytes, the frame carries 3/,
      /^10 stageUpload: argument 2 must be the placeholder \{"\$bytes": 3\}/,
      /^11 stageUpload: argument 2 must be the placeholder/,
      /^12 stageUpload: argument 2 must be the placeholder/,
      /^-1 call id must be a non-negative integer/,
      /^-1 call id must be a non-negative integer/,
      /^-1 call id must be a non-negative integer/,
      /^15 listClusters takes no bytes: send it as a text frame/,
      /^16 writeTerminal takes no bytes/,
      /^17 unknown method "constructor"/,
      /^18 method must be a string/,
      /^19 binary call header is not JSON/,
      /^-1 binary call header is not UTF-8/,
      /^-1 binary call header of \d+ bytes is over the 16384 allowed/,
      /^21 message too large: \d+ bytes, listClusters allows 16384/,
    ];
    assert.equal(said.length, expected.length);
    said.forEach((line, i) => assert.match(line, expected[i]));

    // The same connection takes a good binary call, made by the wire's own encoder, and the bytes arrive whole.
    const bytes = new Uint8Array(1024 * 1024).map((_, i) => (i * 7) & 0xff);
    c.send(Buffer.from(encodeCall({ t: 'call', id: 40, method: 'stageUpload', args: ['whole.bin', bytes, 0, true] }) as Uint8Array), true);
    await c.answered(frames.length + 1);
    const staged = c.answers.at(-1)!;
    assert.equal(staged.t, 'result', JSON.stringify(staged));
    assert.deepEqual(new Uint8Array(await readFile((staged.value as { path: string }).path)), bytes);
    // One byte over stageUpload's limit is over the socket's too: refused before it is buffered.
    c.send(binaryCall(good, new Uint8Array(MAX_FRAME_BYTES)), true);
    assert.equal(await c.closed, 1009);
    assert.ok((await validCallLatency()) < 100);
  });

  it('survives random binary frames', async () => {
    const c = await RawClient.open(server);
    const n = 500;
    for (let i = 0; i < n; i++) {
      const r = Math.random();
      const data = new Uint8Array(Math.floor(Math.random() * 64)).map(() => Math.floor(Math.random() * 256));
      let f: Buffer;
      if (r < 0.3) f = Buffer.from(data);
      else if (r < 0.6) f = binaryCall({ t: 'call', id: i + 1, method: METHODS[i % METHODS.length], args: [randomValue(), { $bytes: Math.random() < 0.5 ? data.length : randomValue() }, randomValue(), randomValue()].slice(0, i % 5) }, data);
      else f = binaryCall({ t: 'call', id: i + 1, method: 'stageUpload', args: [randomValue(), { $bytes: data.length }, randomValue(), randomValue()] }, data, Math.random() < 0.5 ? undefined : Math.floor(Math.random() * 200));
      if (Math.random() < 0.1) f = f.subarray(0, Math.floor(Math.random() * f.length));
      c.send(f, true);
    }
    await c.answered(n, 15_000);
    assert.equal(c.closeCode, undefined);
    c.ws.close();
    assert.ok((await validCallLatency()) < 100);
  });

  it('closes a connection that floods calls (1008) without starving the others', async () => {
    const c = await RawClient.open(server);
    // listNamespaces against a cluster that never answers stays in flight: the budget runs out, the flooder goes.
    const call = (id: number): string => JSON.stringify({ t: 'call', id, method: 'listNamespaces', args: ['fuzz'] });
    for (let i = 1; i <= 400; i++) c.send(call(i));
    assert.equal(await c.closed, 1008);
    const ms = await validCallLatency();
    assert.ok(ms < 100, `a valid call took ${ms.toFixed(1)} ms after the flood`);
  });

  it('survives random and adversarial messages', async () => {
    const c = await RawClient.open(server);
    const n = 2000;
    for (let i = 0; i < n; i++) {
      const r = Math.random();
      const msg = r < 0.1 ? randomValue() : { t: Math.random() < 0.9 ? 'call' : randomValue(), id: Math.random() < 0.9 ? i + 1 : randomValue(), method: Math.random() < 0.8 ? METHODS[i % METHODS.length] : randomValue(), args: Math.random() < 0.9 ? [randomValue(), randomValue(), randomValue(), randomValue()].slice(0, i % 5) : randomValue() };
      let text = JSON.stringify(msg) ?? 'undefined';
      if (Math.random() < 0.05) text = text.slice(0, Math.floor(Math.random() * text.length));
      c.send(text);
    }
    // Every frame gets exactly one answer (valid-typed calls get the method's own result or error).
    await c.answered(n, 15_000);
    assert.equal(c.closeCode, undefined);
    c.ws.close();
    const ms = await validCallLatency();
    assert.ok(ms < 100, `a valid call took ${ms.toFixed(1)} ms after the fuzzing`);
  });
});
