import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCast } from '../../../../common/asciicast/asciicast.ts';
import { buildTimeline, indexAfter, toTimeline } from './castTimeline.ts';
import { SAMPLE_CAST } from '../../../../common/asciicast/testdata.ts';

const cast = SAMPLE_CAST;

test('the idle limit shortens long pauses; recording time maps onto the timeline', () => {
  const p = parseCast(cast);
  const full = buildTimeline(p, null);
  assert.equal(full.duration, 40.2);
  assert.deepEqual(full.markers, [{ t: 1, label: 'start' }, { t: 40.2, label: 'exit 0' }]);

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
