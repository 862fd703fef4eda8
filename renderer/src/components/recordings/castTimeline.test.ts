import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCast } from '../../../../common/asciicast/asciicast.ts';
import { buildTimeline, indexAfter, recordingTime, toTimeline } from './castTimeline.ts';
import { SAMPLE_CAST } from '../../../../common/asciicast/testdata.ts';

const cast = SAMPLE_CAST;

test('the idle limit shortens long pauses; recording time maps onto the timeline', () => {
  const p = parseCast(cast);
  const full = buildTimeline(p, null);
  assert.equal(full.duration, 40.2);
  assert.deepEqual(full.markers, [{ t: 1, orig: 1, label: 'start' }, { t: 40.2, orig: 40.2, label: 'exit 0' }]);

  const tl = buildTimeline(p, 2);
  assert.deepEqual(tl.events.map((e) => Math.round(e.t * 1000) / 1000), [0.5, 1, 3, 3.5, 5.5, 5.7]);
  assert.ok(Math.abs(tl.duration - 5.7) < 1e-9);
  // A search hit at 11.0 s (the "b") lands on the "b" of the shortened timeline.
  assert.equal(toTimeline(tl, 11), 3);
  // In the middle of a long pause: no later than the limit after the last event.
  assert.equal(toTimeline(tl, 30), 5.5);
  assert.equal(indexAfter(tl, 3), 3, 'the event at exactly t is shown');
  assert.equal(indexAfter(tl, 0), 0);
});

test("the player's clock is recording time: a hit's time reads the same on it, with or without the idle limit", () => {
  const p = parseCast(cast);
  for (const limit of [null, 0.5, 2, 5]) {
    const tl = buildTimeline(p, limit);
    assert.ok(Math.abs(tl.recordingDuration - 40.2) < 1e-9, 'the clock ends at the recording\'s own length');
    for (const e of tl.events) assert.ok(Math.abs(recordingTime(tl, toTimeline(tl, e.orig)) - e.orig) < 1e-9, `limit ${limit}: event at ${e.orig}`);
    assert.equal(tl.markers.at(-1)!.orig, 40.2);
  }
  const tl = buildTimeline(p, 2);
  // Inside a shortened pause the clock runs on from the last event, at most the limit.
  assert.equal(recordingTime(tl, 3.25), 11.25);
  assert.equal(recordingTime(tl, 0.2), 0.2, 'before the first event');
});
