import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { allows, findKey, parseAuthorizedKeys } from './authorizedKeys.ts';

const a = ssh2.utils.generateKeyPairSync('ed25519').public;
const b = ssh2.utils.generateKeyPairSync('ed25519').public;
const blob = (line: string) => Buffer.from(line.split(' ')[1], 'base64');

describe('authorized_keys', () => {
  it('reads keys, their comments as names, and the kubedeck-allow option', () => {
    const { keys, problems } = parseAuthorizedKeys(
      [`# team`, `${a} alice@laptop`, `kubedeck-allow="kd-test-1/default,kd-test-2/*",no-pty ${b} bob`, `command="ls" ${b} forced`, `garbage`, ''].join('\n'),
    );
    assert.equal(keys.length, 2);
    assert.equal(keys[0].name, 'alice@laptop');
    assert.equal(keys[0].allow, undefined);
    assert.deepEqual(keys[1].allow, ['kd-test-1/default', 'kd-test-2/*']);
    assert.equal(keys[1].noPty, true);
    assert.equal(problems.length, 2);
    assert.match(problems[0], /:4: command= is not supported/);
    assert.match(problems[1], /:5: not a public key line/);
    assert.equal(findKey(keys, 'ssh-ed25519', blob(a))?.name, 'alice@laptop');
    assert.equal(findKey(keys, 'ssh-ed25519', Buffer.from('nope')), undefined);
    assert.ok(allows(keys[0], 'any', 'thing'));
    assert.ok(allows(keys[1], 'kd-test-1', 'default'));
    assert.ok(allows(keys[1], 'kd-test-2', 'restricted'));
    assert.ok(!allows(keys[1], 'kd-test-1', 'restricted'));
    assert.ok(!allows(keys[1], 'kd-test-3', 'default'));
  });
  it('names a key without a comment by its line', () => {
    assert.equal(parseAuthorizedKeys(`\n${a.split(' ').slice(0, 2).join(' ')}\n`).keys[0].name, 'key 2');
  });
});
