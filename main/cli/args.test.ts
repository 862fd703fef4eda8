// The shared argument parsing: both spellings of a value, values that start with a dash, `--`,
// short options, and a UsageError (reason plus usage) for every mistake.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommand, splitCommand, UsageError } from './args.ts';

const spec = {
  options: { name: { type: 'string', short: 'n' }, quiet: { type: 'boolean' } },
  usage: 'usage: t [-n NAME] [--quiet] ARG...',
  positionals: true,
} as const;

const usageError = (reason: string) => (err: unknown) => {
  assert.ok(err instanceof UsageError);
  assert.equal(err.reason, reason);
  assert.equal(err.message, reason ? `${reason}\n${spec.usage}` : spec.usage);
  return true;
};

describe('command-line parsing', () => {
  it('reads values in both spellings, short options, and positionals around them', () => {
    assert.deepEqual(parseCommand(['a', '--name', 'x', 'b', '--quiet'], spec), { values: { name: 'x', quiet: true }, positionals: ['a', 'b'] });
    assert.deepEqual(parseCommand(['--name=y', '-n', 'z'], spec), { values: { name: 'z' }, positionals: [] });
    assert.deepEqual(parseCommand(['-n', '-dash'], spec).values, { name: '-dash' });
    assert.deepEqual(parseCommand(['--', '--quiet', '-'], spec), { values: {}, positionals: ['--quiet', '-'] });
  });

  it('turns every mistake into a UsageError', () => {
    assert.throws(() => parseCommand(['--bogus'], spec), usageError('unknown option --bogus'));
    assert.throws(() => parseCommand(['--bogus'], { ...spec, quote: (a) => JSON.stringify(a) }), usageError('unknown option "--bogus"'));
    assert.throws(() => parseCommand(['-n'], spec), usageError('-n needs a value'));
    assert.throws(() => parseCommand(['--name='], spec), usageError('--name needs a value'));
    assert.throws(() => parseCommand(['--quiet=yes'], spec), usageError('--quiet takes no value'));
    assert.throws(() => parseCommand(['x'], { ...spec, positionals: false }), usageError('unexpected argument x'));
    assert.throws(() => parseCommand(['a', '-h'], spec), usageError(''));
    assert.throws(() => parseCommand(['--help'], spec), usageError(''));
  });

  it('splits the command from its arguments; options before it are refused', () => {
    assert.deepEqual(splitCommand(['cp', '--context', 'c', 'a', 'b'], spec.usage), { command: 'cp', rest: ['--context', 'c', 'a', 'b'] });
    assert.deepEqual(splitCommand(['--', 'serve'], spec.usage), { command: 'serve', rest: [] });
    assert.throws(() => splitCommand([], spec.usage), usageError('no command'));
    assert.throws(() => splitCommand(['--port', '1', 'serve'], spec.usage), usageError('unknown option --port'));
    assert.throws(() => splitCommand(['-h'], spec.usage), usageError(''));
  });
});
