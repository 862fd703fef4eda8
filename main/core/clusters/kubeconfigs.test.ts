// kubectl's loading rules for the current context: the first file that sets one wins (the client
// library's own loadFromDefault takes the last, which is why the CLI does not use it).
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { loadKubeconfigs } from './kubeconfigs.ts';

const file = (current: string | undefined, context: string) =>
  [
    'apiVersion: v1',
    'kind: Config',
    ...(current === undefined ? [] : [`current-context: "${current}"`]),
    'clusters:',
    `- name: ${context}-cluster`,
    '  cluster: {server: "https://127.0.0.1:1"}',
    'users: []',
    'contexts:',
    `- name: ${context}`,
    `  context: {cluster: ${context}-cluster, user: nobody}`,
  ].join('\n') + '\n';

describe('kubeconfig loading', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-kubeconfigs-'));
    await writeFile(join(dir, 'none.yaml'), file(undefined, 'zero'));
    await writeFile(join(dir, 'empty.yaml'), file('', 'empty'));
    await writeFile(join(dir, 'one.yaml'), file('one', 'one'));
    await writeFile(join(dir, 'two.yaml'), file('two', 'two'));
  });
  after(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('takes the current-context of the first file that sets one', () => {
    const at = (...names: string[]) => loadKubeconfigs(names.map((n) => join(dir, n)));
    assert.equal(at('one.yaml', 'two.yaml').currentContext, 'one');
    assert.equal(at('two.yaml', 'one.yaml').currentContext, 'two');
    assert.equal(at('none.yaml', 'empty.yaml', 'two.yaml', 'one.yaml').currentContext, 'two');
    assert.equal(at('missing.yaml', 'one.yaml').currentContext, 'one');
    assert.equal(at('none.yaml').currentContext, undefined);
  });
});
