import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { RecordingStore } from './recordingStore.ts';
import { RecordingsService } from './recordingsService.ts';
import { AuditLog } from '../audit/auditLog.ts';
import { parseEvent, parseHeader } from '../../../common/asciicast/asciicast.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const run = promisify(execFile);
const meta = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', command: ['bash', '-il'], cols: 80, rows: 24 };

async function tempDir(): Promise<{ dir: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-rec-'));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

/** `asciinema cat` (or `play`) insists on a /dev/tty: give it one with script(1), and take its stdout from a file. */
async function asciinemaCat(file: string, command = 'cat'): Promise<string> {
  const out = path.join(os.tmpdir(), `kd-cat-${process.pid}-${Math.random().toString(36).slice(2)}.out`);
  try {
    await run('script', ['-qec', `asciinema ${command} '${file}' > '${out}'`, '/dev/null'], { timeout: 30_000 });
    return await readFile(out, 'utf8');
  } finally {
    await rm(out, { force: true });
  }
}

function parseCast(text: string) {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = parseHeader(lines[0]);
  const events = lines.slice(1).map((l) => {
    const e = parseEvent(l);
    assert.ok(e, `not an event line: ${l}`);
    return e;
  });
  return { header, events };
}

test('a recording stays valid when the app is killed mid-session, up to the last second', async () => {
  const { dir, done } = await tempDir();
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, 'testdata/recordUntilKilled.ts'), dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    let castPath = '';
    let lastLine = 0;
    await new Promise<void>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const started = /started (\S+)\n/.exec(buf);
        if (started) castPath = started[1];
        for (const m of buf.matchAll(/line (\d+)\n/g)) lastLine = Math.max(lastLine, Number(m[1]));
        if (lastLine >= 50) resolve();
      });
      child.on('exit', () => reject(new Error('child ended early')));
    });
    child.kill('SIGKILL');
    await new Promise((r) => child.once('exit', r));

    const text = await readFile(castPath, 'utf8');
    assert.ok(text.endsWith('\n'), 'the file ends with a whole line');
    const { header, events } = parseCast(text);
    assert.equal(header?.version, 2);
    assert.equal(header?.kubedeck?.pod, 'shell');
    const output = events.filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    assert.ok(!output.includes('\uFFFD'), 'a character split across chunks is decoded whole');
    const recorded = [...output.matchAll(/line (\d+) €\r\n/g)].map((m) => Number(m[1]));
    // Lines come every 50 ms and are flushed at least every second: at most ~20 lines (+ slack) are lost.
    assert.ok(recorded.length > 0 && recorded[recorded.length - 1] >= lastLine - 25, `recorded up to ${recorded.at(-1)}, printed ${lastLine}`);
    assert.deepEqual(recorded, recorded.map((_, i) => i + 1), 'no line is missing or torn in between');
    assert.ok(events.some((e) => e[1] === 'r' && /^\d+x24$/.test(e[2])), 'resize events are recorded');
    const times = events.map((e) => e[0]);
    assert.deepEqual(times, [...times].sort((a, b) => a - b), 'times never go backwards');

    // The asciinema CLI plays it as it is.
    const cat = await asciinemaCat(castPath);
    assert.equal(cat, output);

    // And Kubedeck lists it as a finished recording with its length, without an exit code.
    const store = new RecordingStore({ dir });
    const [info] = await store.list();
    assert.equal(info.live, false);
    assert.equal(info.exitCode, undefined);
    assert.ok(info.duration >= 2, `duration ${info.duration}`);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await done();
  }
});

test('asciinema cat reproduces the output; header, markers, exit and owner-only files', async () => {
  const { dir, done } = await tempDir();
  try {
    const store = new RecordingStore({ dir: path.join(dir, 'recordings') });
    const rec = store.start({ ...meta, title: 'shell on kd-test-1' });
    assert.ok(rec);
    const chunks = ['$ echo héllo\r\n', '\x1b[1;32mhéllo\x1b[0m wörld ✓\r\n', '$ exit\r\n'];
    const bytes = Buffer.from(chunks.join(''), 'utf8');
    // Feed it byte by byte around the multi-byte characters, as a PTY may split them.
    for (let i = 0; i < bytes.length; i += 3) rec.output(bytes.subarray(i, i + 3));
    rec.resize(100, 30);
    rec.marker('deploy done');
    rec.exit(3);
    rec.close();

    const text = await readFile(rec.path, 'utf8');
    const { header, events } = parseCast(text);
    assert.deepEqual(
      { ...header, timestamp: 0 },
      {
        version: 2,
        width: 80,
        height: 24,
        timestamp: 0,
        title: 'shell on kd-test-1',
        env: { TERM: 'xterm-256color', SHELL: 'bash' },
        kubedeck: { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', command: ['bash', '-il'] },
      },
    );
    assert.deepEqual(events.filter((e) => e[1] !== 'o').map((e) => [e[1], e[2]]), [['r', '100x30'], ['m', 'deploy done'], ['m', 'exit 3']]);
    assert.equal(await asciinemaCat(rec.path), chunks.join(''));
    // `asciinema play` takes the markers, the resize and the exit marker in its stride, too.
    assert.equal(await asciinemaCat(rec.path, 'play -s 20 -i 0.1'), chunks.join(''));

    assert.equal((await stat(rec.path)).mode & 0o777, 0o600);
    assert.equal((await stat(path.join(dir, 'recordings'))).mode & 0o777, 0o700);
    for (const f of await readdir(path.join(dir, 'recordings'))) assert.equal((await stat(path.join(dir, 'recordings', f))).mode & 0o777, 0o600, f);

    const [info] = await store.list();
    assert.equal(info.exitCode, 3);
    assert.equal(info.pod, 'shell');
    assert.equal(info.size, Buffer.byteLength(text));
    assert.equal(await store.read(info.id), text);
  } finally {
    await done();
  }
});

test('search finds a word at the moment it was printed, across chunks and colours', async () => {
  const { dir, done } = await tempDir();
  try {
    let now = 0;
    const store = new RecordingStore({ dir, monotonic: () => now });
    const rec = store.start(meta)!;
    now = 1500;
    rec.output(Buffer.from('$ ls\r\nfoo bar\r\n'));
    now = 3000;
    rec.output(Buffer.from('$ echo \x1b[31mKUBE'));
    now = 3250;
    rec.output(Buffer.from('WORD\x1b[0m done\r\n'));
    now = 7000;
    rec.output(Buffer.from('again kubeword\r\n'));
    rec.close();
    const other = store.start({ ...meta, pod: 'busybox' })!;
    other.output('nothing to see\r\n');
    other.close();

    const hits = await store.search('kubeword');
    assert.deepEqual(
      hits.map((h) => [h.recordingId === rec.id, h.time, h.snippet]),
      [
        [true, 3.25, '$ echo KUBEWORD done'],
        [true, 7, 'again kubeword'],
      ],
    );
    assert.deepEqual(await store.search('   '), []);
    assert.deepEqual(await store.search('\x1b[31m'), []);
  } finally {
    await done();
  }
});

test('retention deletes the oldest recordings first, by age and by total size', async () => {
  const { dir, done } = await tempDir();
  try {
    const day = 86400_000;
    let wall = Date.parse('2026-11-01T00:00:00Z');
    const store = new RecordingStore({ dir, clock: () => wall });
    await store.setSettings({ policy: { mode: 'all' }, recordInput: false, maxTotalBytes: 100 * 1024 ** 2, maxAgeDays: 30 });
    const big = 'x'.repeat(400 * 1024);
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const rec = store.start({ ...meta, pod: `pod${i}` })!;
      rec.output(big);
      rec.close();
      ids.push(rec.id);
      wall += 12 * day;
    }
    await store.enforceRetention();
    // Ages now: 48, 36, 24 and 12 days: the first two are past 30 days.
    assert.deepEqual((await store.list()).map((r) => r.pod), ['pod3', 'pod2']);

    await store.setSettings({ policy: { mode: 'all' }, recordInput: false, maxTotalBytes: 1024 ** 2, maxAgeDays: 365 });
    // 2 × 400 KiB fit in 1 MiB; a third one pushes the oldest out.
    const rec = store.start({ ...meta, pod: 'pod4' })!;
    rec.output(big);
    rec.close();
    await store.enforceRetention();
    assert.deepEqual((await store.list()).map((r) => r.pod), ['pod4', 'pod3']);
  } finally {
    await done();
  }
});

test('a runaway session stops being recorded at the size limit; its exit is still recorded', async () => {
  const { dir, done } = await tempDir();
  try {
    const store = new RecordingStore({ dir });
    await store.setSettings({ policy: { mode: 'all' }, recordInput: false, maxTotalBytes: 1024 ** 2, maxAgeDays: 30 });
    const rec = store.start(meta)!;
    const chunk = Buffer.alloc(64 * 1024, 'y');
    for (let i = 0; i < 40; i++) rec.output(chunk);
    rec.exit(130);
    rec.close();
    const size = (await stat(rec.path)).size;
    assert.ok(size <= 1024 ** 2 + 1024, `size ${size}`);
    const { events } = parseCast(await readFile(rec.path, 'utf8'));
    assert.deepEqual(events.filter((e) => e[1] === 'm').map((e) => e[2]), ['recording stopped: size limit reached', 'exit 130']);
    const [info] = await store.list();
    assert.equal(info.exitCode, 130);
  } finally {
    await done();
  }
});

test('policy, input recording off by default, settings persist; the service audits and validates', async () => {
  const { dir, done } = await tempDir();
  try {
    const store = RecordingStore.inDataDir(dir);
    const audit = new AuditLog(path.join(dir, 'audit.jsonl'));
    const events: string[] = [];
    const svc = new RecordingsService(store, audit, (name) => events.push(name), 'tester');
    assert.deepEqual(await svc.getRecordingSettings(), { policy: { mode: 'all' }, recordInput: false, maxTotalBytes: 2 * 1024 ** 3, maxAgeDays: 90 });

    const a = store.start(meta)!;
    a.input('hunter2\r');
    a.output('$ ');
    a.close();
    assert.ok(!(await readFile(a.path, 'utf8')).includes('hunter2'), 'typed input stays out by default');

    await svc.setRecordingSettings({ policy: { mode: 'perCluster', contexts: ['kd-test-2'] }, recordInput: true, maxTotalBytes: 1024 ** 3, maxAgeDays: 7 });
    assert.equal(store.start(meta), undefined, 'kd-test-1 is not recorded');
    const b = store.start({ ...meta, context: 'kd-test-2' })!;
    b.input('ls\r');
    b.close();
    assert.ok((await readFile(b.path, 'utf8')).includes('[0') && (await readFile(b.path, 'utf8')).includes('"i","ls\\r"'));

    // Persisted: a new store reads them back.
    assert.deepEqual(RecordingStore.inDataDir(dir).settings.policy, { mode: 'perCluster', contexts: ['kd-test-2'] });
    assert.equal((await stat(path.join(dir, 'recording-settings.json'))).mode & 0o777, 0o600);

    await assert.rejects(svc.setRecordingSettings({ policy: { mode: 'some' } } as never), /policy.mode/);
    await assert.rejects(svc.readRecording('../audit'), /not a recording id/);
    await assert.rejects(svc.deleteRecording('nope'), /no recording/);
    assert.equal(RecordingStore.inDataDir(dir).settings.maxAgeDays, 7, 'a refused change loses nothing');

    await svc.deleteRecording(a.id);
    assert.deepEqual((await svc.listRecordings()).map((r) => r.id), [b.id]);
    const { entries, intact } = await svc.readAudit();
    assert.equal(intact, true);
    assert.deepEqual(entries.map((e) => [e.kind, e.who]), [['settings.recordings', 'tester'], ['recording.delete', 'tester']]);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(events.includes('recordings.changed') && events.includes('audit.appended'));
    svc.dispose();
  } finally {
    await done();
  }
});

test('search: long output in many pieces, a long query split across them, and the hit limit', async () => {
  const { dir, done } = await tempDir();
  try {
    let now = 0;
    const store = new RecordingStore({ dir, monotonic: () => now });
    const rec = store.start(meta)!;
    const long = 'needle-'.repeat(30); // 210 characters: longer than the window's default
    for (let i = 0; i < 2000; i++) {
      now = i * 10;
      rec.output(`filler line ${i} ${'z'.repeat(50)}\r\n`);
    }
    now = 30_000;
    // The long query arrives one character at a time, with colour changes in between.
    for (const ch of long.slice(0, 190)) rec.output(`\x1b[3${ch.charCodeAt(0) % 8}m${ch}`);
    await assert.rejects(store.search(long), /too long/);
    const q = long.slice(0, 190);
    now = 31_000;
    rec.output('\r\n');
    for (let i = 0; i < 80; i++) rec.output(`again ${q} ${i}\r\n`);
    rec.close();
    const hits = await store.search(q);
    assert.equal(hits.length, 50, 'at most 50 hits per recording');
    assert.equal(hits[0].time, 30);
    assert.equal(hits[1].time, 31);
    assert.equal((await store.search('filler line 1999')).length, 1);
  } finally {
    await done();
  }
});
