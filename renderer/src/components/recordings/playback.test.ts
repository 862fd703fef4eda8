import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCast } from '../../../../common/asciicast/asciicast.ts';
import { buildTimeline } from './castTimeline.ts';
import { BASE_FONT, MIN_FONT, barTime, fitFontSize, firstOutputTime, isExitMarker, nextMarkerTime, prevMarkerTime, recordingTimeAt, stepBackTime, stepForwardTime, writesTo } from './playback.ts';

const cast = [
  JSON.stringify({ version: 2, width: 80, height: 24 }),
  '[0.5, "r", "100x30"]',
  '[1.0, "o", "a"]',
  '[2.0, "i", "typed"]',
  '[3.0, "o", "b"]',
  '[4.0, "r", "90x20"]',
  '[5.0, "o", "c"]',
  '[6.0, "m", "exit 0"]',
].join('\n');
const tl = buildTimeline(parseCast(cast), null);

test('forward: output gathered, each resize after the text before it', () => {
  assert.deepEqual(writesTo(tl, 0, 3.5), {
    writes: [{ data: '', resize: { cols: 100, rows: 30 } }, { data: 'ab' }],
    applied: 4,
  });
  assert.deepEqual(writesTo(tl, 4, 10), { writes: [{ data: '', resize: { cols: 90, rows: 20 } }, { data: 'c' }], applied: 7 });
  assert.deepEqual(writesTo(tl, 2, 1.5), { writes: [], applied: 2 }, 'already there: nothing to write');
});

test('back: a reset to the recorded size, then a replay from the start', () => {
  assert.deepEqual(writesTo(tl, 7, 1), {
    writes: [{ data: '\x1bc', resize: { cols: 80, rows: 24 } }, { data: '', resize: { cols: 100, rows: 30 } }, { data: 'a' }],
    applied: 2,
  });
});

test('steps land on output and markers only', () => {
  // After the first output (applied 2), the next stop passes over the input event.
  assert.equal(stepForwardTime(tl, 2), 3);
  assert.equal(stepForwardTime(tl, 6), 6);
  assert.equal(stepForwardTime(tl, 7), undefined);
  assert.equal(stepBackTime(tl, 5), 3);
  assert.equal(stepBackTime(tl, 4), 1);
  assert.equal(stepBackTime(tl, 1), 0);
});

test('markers: the next one after now, the previous one with half a second of grace', () => {
  assert.equal(nextMarkerTime(tl, 0), 6);
  assert.equal(nextMarkerTime(tl, 6), undefined);
  assert.equal(prevMarkerTime(tl, 6.4), 0);
  assert.equal(prevMarkerTime(tl, 6.6), 6);
  assert.ok(isExitMarker('exit 3'));
  assert.ok(isExitMarker('exit -1'));
  assert.ok(!isExitMarker('exit now'));
});

test('the recording time on screen, the far end of the bar, and where the player opens', () => {
  const cut = buildTimeline(parseCast(cast), 0.5);
  // The third event (recording time 2.0) is at timeline time 1.5 with pauses cut to 0.5 s.
  assert.equal(cut.events[2].t, 1.5);
  assert.equal(recordingTimeAt(cut, 3, 1.75), 2.25);
  assert.equal(recordingTimeAt(cut, 0, 0.3), 0.3);
  assert.equal(barTime(tl, tl.duration - 0.01), tl.duration);
  assert.equal(barTime(tl, 1), 1);
  assert.equal(firstOutputTime(tl), 1);
});

test('a recording wider or taller than the box gets the font that fits it; a small one keeps the base size', () => {
  // 156 columns drawn 1217 px wide at 13 px, in a 660 px box: about 7 px.
  assert.equal(fitFontSize(13, { width: 1217, height: 720 }, { width: 660, height: 700 }), 7);
  // Taller than wide: the height decides.
  assert.equal(fitFontSize(13, { width: 600, height: 900 }, { width: 660, height: 450 }), 6.5);
  // From a smaller size back up when the box grows (full screen), never past the base size.
  assert.equal(fitFontSize(7, { width: 655, height: 390 }, { width: 1900, height: 1000 }), BASE_FONT);
  assert.equal(fitFontSize(13, { width: 640, height: 380 }, { width: 660, height: 700 }), BASE_FONT);
  // Too big to read when fitted: the smallest size, and the box scrolls.
  assert.equal(fitFontSize(13, { width: 4000, height: 700 }, { width: 660, height: 700 }), MIN_FONT);
  // Nothing measured yet (a hidden player): left as it is.
  assert.equal(fitFontSize(13, { width: 0, height: 0 }, { width: 660, height: 700 }), 13);
});
