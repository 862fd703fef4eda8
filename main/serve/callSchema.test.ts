// The call table's argument checks, for the shapes that are not plain positional lists.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkArgs, specOf } from './callSchema.ts';

describe('call schema', () => {
  it('lets optional trailing arguments be left out, and checks them when given', () => {
    const attach = specOf('attachTerminal')!;
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80, 24]), undefined);
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80, 24, true]), undefined);
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80, 24, 'yes']), 'attachTerminal: argument 4 must be a boolean');
    // JSON turns an undefined argument into null: a caller must leave it out, not pass it empty.
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80, 24, null]), 'attachTerminal: argument 4 must be a boolean');
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80]), 'attachTerminal: expected 3 to 4 argument(s), got 2');
    assert.equal(checkArgs('attachTerminal', attach, ['t1', 80, 24, true, 1]), 'attachTerminal: expected 3 to 4 argument(s), got 5');
  });

  it('holds a method without optional arguments to its exact count', () => {
    const pods = specOf('listPods')!;
    assert.equal(checkArgs('listPods', pods, ['ctx']), 'listPods: expected 2 argument(s), got 1');
    assert.equal(specOf('constructor'), undefined);
  });
});
