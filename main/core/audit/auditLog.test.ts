import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { AuditLog } from './auditLog.ts';

async function tempLog(): Promise<{ log: AuditLog; file: string; done: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'kd-audit-'));
  const file = path.join(dir, 'audit.jsonl');
  return { log: new AuditLog(file), file, done: () => rm(dir, { recursive: true, force: true }) };
}

test('appends chained lines, readable by the owner only, and verifies intact', async () => {
  const { log, file, done } = await tempLog();
  try {
    const a = await log.append('terminal.open', 'alice', { context: 'kd-test-1', pod: 'shell' });
    const b = await log.append('terminal.close', 'alice', { exitCode: 0 });
    assert.equal(a.seq, 1);
    assert.equal(b.seq, 2);
    assert.equal(a.prev, '0'.repeat(64));
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    assert.equal(lines.length, 2);
    // prev is sha256 over the previous line's exact text
    const { createHash } = await import('node:crypto');
    assert.equal(b.prev, createHash('sha256').update(lines[0]).digest('hex'));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(await log.verify(), { intact: true, lines: 2 });
    const entries = await log.read();
    assert.deepEqual(entries.map((e) => e.kind), ['terminal.open', 'terminal.close']);
    assert.equal(entries[0].details.pod, 'shell');
  } finally {
    await done();
  }
});

test('concurrent appends are serialized into one unbroken chain, across two objects on one file', async () => {
  const { log, file, done } = await tempLog();
  try {
    const other = new AuditLog(file);
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? log : other).append('transfer', 'bob', { i })));
    const v = await log.verify();
    assert.equal(v.intact, true, v.reason ?? '');
    assert.equal(v.lines, 40);
    const seqs = (await log.read()).map((e) => e.seq);
    assert.deepEqual(seqs, Array.from({ length: 40 }, (_, i) => i + 1));
  } finally {
    await done();
  }
});

test('an edited line is detected, even when its own hash is recomputed', async () => {
  const { log, file, done } = await tempLog();
  try {
    for (let i = 0; i < 5; i++) await log.append('transfer', 'bob', { bytes: 100 * i });
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    // Plain edit: the line's own hash no longer matches.
    const edited = [...lines];
    edited[2] = edited[2].replace('"bytes":200', '"bytes":999');
    await writeFile(file, edited.join('\n') + '\n');
    let v = await log.verify();
    assert.equal(v.intact, false);
    assert.equal(v.brokenAt, 3);

    // A careful forger recomputes the line's hash: the next line's link breaks.
    const { createHash } = await import('node:crypto');
    const body = edited[2].replace(/,"hash":"[0-9a-f]{64}"\}$/, '}');
    edited[2] = body.slice(0, -1) + `,"hash":"${createHash('sha256').update(body).digest('hex')}"}`;
    await writeFile(file, edited.join('\n') + '\n');
    v = await log.verify();
    assert.equal(v.intact, false);
    assert.equal(v.brokenAt, 4);
  } finally {
    await done();
  }
});

test('a removed line is detected, in the middle and at the end', async () => {
  const { log, file, done } = await tempLog();
  try {
    for (let i = 0; i < 4; i++) await log.append('kubeconfig', 'carol', { i });
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    await writeFile(file, [lines[0], lines[2], lines[3]].join('\n') + '\n');
    let v = await log.verify();
    assert.equal(v.intact, false);
    assert.equal(v.brokenAt, 2);

    await writeFile(file, lines.slice(0, 3).join('\n') + '\n');
    v = await log.verify();
    assert.equal(v.intact, false);
    assert.equal(v.brokenAt, 4);
    assert.match(v.reason ?? '', /removed/);
  } finally {
    await done();
  }
});

test('a fresh object continues the chain of an existing file; a bad kind is refused and loses nothing', async () => {
  const { log, file, done } = await tempLog();
  try {
    await log.append('terminal.open', 'dave', {});
    await log.append('terminal.close', 'dave', {});
    const again = new AuditLog(file);
    const e = await again.append('terminal.open', 'dave', {});
    assert.equal(e.seq, 3);
    await assert.rejects(again.append('', 'dave', {}), /kind/);
    assert.equal((await again.verify()).intact, true);
    assert.equal((await again.read()).length, 3);
  } finally {
    await done();
  }
});
