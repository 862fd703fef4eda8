import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BINARY_CALL, decodeCallFrame, decodeTerminalData, encodeCall, encodeJson, encodeTerminalData } from './wire.ts';

const call = (args: unknown[]) => ({ t: 'call' as const, id: 9, method: 'stageUpload', args });

test('a call without bytes is JSON text; with bytes, a binary call that decodes back to header and bytes', () => {
  assert.equal(encodeCall({ t: 'call', id: 1, method: 'listClusters', args: [] }), '{"t":"call","id":1,"method":"listClusters","args":[]}');
  const data = new TextEncoder().encode('{"$bytes":"AAAA"} and ünïcode');
  const frame = encodeCall(call(['f', data, 0, true]));
  assert.ok(frame instanceof Uint8Array);
  assert.equal(frame[0], BINARY_CALL);
  const back = decodeCallFrame(frame, 1024);
  assert.ok(back.ok);
  assert.equal(back.header, `{"t":"call","id":9,"method":"stageUpload","args":["f",{"$bytes":${data.length}},0,true]}`);
  assert.deepEqual([...back.data], [...data]);
});

test('a binary call that is cut, lies about its header length or is not one is refused with the reason', () => {
  const good = encodeCall(call(['f', new Uint8Array([1, 2, 3]), 0, true])) as Uint8Array;
  const withLength = (n: number): Uint8Array => {
    const f = good.slice();
    new DataView(f.buffer).setUint32(1, n);
    return f;
  };
  const refused = (frame: Uint8Array, max = 1024): string => {
    const r = decodeCallFrame(frame, max);
    assert.ok(!r.ok, 'refused');
    return r.message;
  };
  assert.match(refused(new Uint8Array(0)), /must be calls \(type 2, got nothing\)/);
  assert.match(refused(encodeTerminalData('t', new Uint8Array(4))), /must be calls \(type 2, got 1\)/);
  assert.match(refused(good.subarray(0, 3)), /too short for its header length/);
  assert.match(refused(withLength(0xffffffff)), /header of 4294967295 bytes is over the 1024 allowed/);
  assert.match(refused(withLength(good.length)), /header says \d+ bytes, the frame has \d+/);
  assert.match(refused(good, 10), /over the 10 allowed/);
  const notUtf8 = good.slice();
  notUtf8[6] = 0xff;
  assert.match(refused(notUtf8), /not UTF-8/);
  // A header length shorter than the header: what is left is not JSON, which the server's gate says.
  const short = decodeCallFrame(withLength(10), 1024);
  assert.ok(short.ok);
  assert.throws(() => JSON.parse(short.header));
});

test('JSON messages refuse bytes instead of sending them as {"0":…}; terminal frames are checked for length', () => {
  assert.throws(() => encodeJson({ t: 'result', id: 1, value: { data: new Uint8Array(2) } }), /binary call frame/);
  const f = encodeTerminalData('term-1', new Uint8Array([104, 105]));
  assert.deepEqual(decodeTerminalData(f), { id: 'term-1', data: new Uint8Array([104, 105]) });
  assert.equal(decodeTerminalData(f.subarray(0, 5)), undefined);
});
