import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EXIT_MARKER, parseCast, parseEvent, parseHeader } from './asciicast.ts';
import { SAMPLE_CAST } from './testdata.ts';

const cast = SAMPLE_CAST;

test('parses a recording, skipping a torn last line, and refuses what is not asciicast v2', () => {
  const p = parseCast(cast);
  assert.equal(p.header.width, 80);
  assert.equal(p.events.length, 6);
  assert.throws(() => parseCast('hello'), /not an asciicast/);
  assert.throws(() => parseCast('{"version":3,"term":{"cols":80,"rows":24}}'), /version 3/);
  assert.throws(() => parseCast(['{"version":2,"width":1,"height":1}', 'garbage', '[1,"o","x"]'].join('\n')), /line 2/);
});

test('a whole recording: blank lines and JSON that is not an event are passed over; a v2 header needs its size', () => {
  const p = parseCast(['{"version":2,"width":100,"height":30,"timestamp":5}', '', '{"note":"an extension"}', '[1,"o","x",{"extra":1}]', '[2,"o"]', ''].join('\n'));
  assert.deepEqual(p.header, { version: 2, width: 100, height: 30, timestamp: 5 });
  assert.deepEqual(p.events, [[1, 'o', 'x']]);
  assert.throws(() => parseCast('{"version":2}'), /no width and height/);
  assert.throws(() => parseCast('null'), /version undefined/);
});

test('line by line, as the store scans files: anything malformed is simply not a header or an event', () => {
  assert.deepEqual(parseHeader('{"version":2,"width":80,"height":24,"timestamp":1,"kubedeck":{"pod":"p"}}')?.kubedeck, { pod: 'p' });
  assert.equal(parseHeader('{"version":3,"width":80,"height":24}'), undefined);
  assert.equal(parseHeader('{"version":2,"width":"80","height":24}'), undefined);
  assert.equal(parseHeader('{"version":2,'), undefined);
  assert.deepEqual(parseEvent('[0.25,"i","ls\\r"]'), [0.25, 'i', 'ls\r']);
  assert.equal(parseEvent(' [1,"o","x"]'), undefined);
  assert.equal(parseEvent('[1,"o","tor'), undefined);
  assert.equal(parseEvent('["1","o","x"]'), undefined);
  assert.equal(parseEvent('[1,"o",7]'), undefined);
});

test('the exit marker carries the exit code, negative ones too', () => {
  assert.equal(EXIT_MARKER.exec('exit 0')?.[1], '0');
  assert.equal(EXIT_MARKER.exec('exit -1')?.[1], '-1');
  assert.equal(EXIT_MARKER.exec('exit soon'), null);
  assert.equal(EXIT_MARKER.exec('before exit 3'), null);
});
