/**
 * Test child: records a session that prints numbered lines (with a multi-byte character split across two
 * chunks) every 50 ms until it is killed. Prints "started <path>" once the recording exists, and
 * "line N" to stdout after recording each line, so the parent knows what was recorded and when.
 */
import { RecordingStore } from '../recordingStore.ts';

const dir = process.argv[2];
const store = new RecordingStore({ dir });
const rec = store.start({ context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main', command: ['bash', '-il'], cols: 80, rows: 24 });
if (!rec) throw new Error('not recording');
process.stdout.write(`started ${rec.path}\n`);
let n = 0;
const euro = Buffer.from('€', 'utf8');
setInterval(() => {
  n++;
  rec.output(Buffer.concat([Buffer.from(`line ${n} `), euro.subarray(0, 1)]));
  rec.output(Buffer.concat([euro.subarray(1), Buffer.from('\r\n')]));
  if (n % 10 === 0) rec.resize(80 + n / 10, 24);
  process.stdout.write(`line ${n}\n`);
}, 50);
