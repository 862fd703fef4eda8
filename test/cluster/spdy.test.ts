// The SPDY/3 header dictionary must be byte-exact (zlib refuses a header block primed with another one): its
// length, its ends, and its Adler-32 (the id zlib puts in a stream primed with it; 3821447106 computed from the
// draft's table).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SPDY3_DICTIONARY } from './spdy.ts';

describe('SPDY/3 dictionary', () => {
  it('is the 1423 bytes of draft-mbelshe-httpbis-spdy-00 §2.6.10.1', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(SPDY3_DICTIONARY.subarray(0, 11).toString('latin1'), '\0\0\0\x07options');
    assert.ok(SPDY3_DICTIONARY.toString('latin1').endsWith(',*,enq=0.'));
    let a = 1, b = 0;
    for (const byte of SPDY3_DICTIONARY) { a = (a + byte) % 65521; b = (b + a) % 65521; }
    assert.equal(((b << 16) | a) >>> 0, 3821447106);
  });
});
