import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLine, LineStore, logFileName, SourceColors, stripAnsi, toLogFile } from './logFormat.ts';

const line = (pod: string, text: string, container = 'main') => ({ time: '2026-12-02T16:00:00.5Z', pod, container, text });

test('each source keeps its own colour, first seen first; tags and times only when asked', () => {
  const c = new SourceColors();
  const a = formatLine(line('web-a', 'GET /'), { showSource: true, showContainer: false, timestamps: true }, c);
  const b = formatLine(line('web-b', 'GET /'), { showSource: true, showContainer: false, timestamps: false }, c);
  assert.equal(a, '\x1b[38;5;39mweb-a\x1b[0m \x1b[2m2026-12-02T16:00:00.5Z\x1b[0m GET /\x1b[0m');
  assert.equal(b, '\x1b[38;5;208mweb-b\x1b[0m GET /\x1b[0m');
  assert.equal(c.colorOf('web-a'), 39);
  assert.equal(formatLine(line('p', 'plain'), { showSource: false, showContainer: false, timestamps: false }, c), 'plain\x1b[0m');
});

test('the saved file is what is shown, without escape sequences', () => {
  const lines = [line('web-a', '\x1b[31mred\x1b[0m error', 'web'), line('web-b', 'ok', 'web')];
  assert.equal(toLogFile(lines, { showSource: true, showContainer: true, timestamps: true }),
    'web-a/web 2026-12-02T16:00:00.5Z red error\nweb-b/web 2026-12-02T16:00:00.5Z ok\n');
  assert.equal(toLogFile(lines, { showSource: false, showContainer: false, timestamps: false }), 'red error\nok\n');
  assert.equal(stripAnsi('\x1b]0;title\x07a\x1b[1;32mb'), 'ab');
  assert.equal(logFileName('deployment/web', new Date('2026-12-02T16:05:09Z')), 'deployment_web-20261202-160509.log');
});

test('the store keeps the newest lines up to its cap and counts what it let go', () => {
  const s = new LineStore(3);
  s.push([line('p', '1'), line('p', '2')]);
  s.push([line('p', '3'), line('p', '4'), line('p', '5')]);
  assert.deepEqual(s.lines.map((l) => l.text), ['3', '4', '5']);
  assert.equal(s.trimmed, 2);
});
