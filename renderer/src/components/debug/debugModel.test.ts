import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EphemeralContainerInfo, PodInfo } from '../../../../common/contract/index.ts';
import { debugTabTitle, ephemeralOf, failureKind, pendingDebugContainer, runningDebugContainers, stateText } from './debugModel.ts';

const eph = (name: string, state: EphemeralContainerInfo['state'], target = 'main', image = 'busybox:1.36', reason?: string): EphemeralContainerInfo =>
  ({ name, image, state, ready: false, target, ...(reason ? { reason } : {}) });
const pod = (ephemeralContainers: EphemeralContainerInfo[]): PodInfo =>
  ({ context: 'c', namespace: 'default', name: 'distroless', phase: 'Running', containers: [{ name: 'main', image: 'd', state: 'running', ready: true }], ephemeralContainers });

test('the failures core words get their heading', () => {
  assert.equal(failureKind('403 Forbidden: pods "shell" is forbidden: … This cluster does not let you add ephemeral (debug) containers'), 'forbidden');
  assert.equal(failureKind('This cluster has no ephemeral containers API (404 on pods/ephemeralcontainers): it needs Kubernetes 1.25'), 'noApi');
  assert.equal(failureKind('The debug image "nope:1" could not be pulled (ErrImagePull): pull access denied'), 'image');
  assert.equal(failureKind('The debug container kubedeck-debug-x did not start in time'), 'other');
});

test('the container being added is the new one with this image and target, as the watch shows it', () => {
  const before = new Set(['debugger-old']);
  const p = pod([eph('debugger-old', 'running'), eph('kubedeck-debug-other', 'waiting', 'side'), eph('kubedeck-debug-new', 'waiting', 'main', 'busybox:1.36', 'ContainerCreating')]);
  assert.equal(pendingDebugContainer(p, 'main', 'busybox:1.36', before)?.name, 'kubedeck-debug-new');
  assert.equal(pendingDebugContainer(p, 'main', 'alpine:3', before), undefined);
  assert.equal(pendingDebugContainer(undefined, 'main', 'busybox:1.36', before), undefined);
  assert.equal(stateText(p.ephemeralContainers![2]), 'waiting (ContainerCreating)');
  assert.equal(stateText(p.ephemeralContainers![0]), 'running');
});

test('running debug containers of a target, newest first; an ephemeral container is known as one', () => {
  const p = pod([eph('a', 'running'), eph('b', 'terminated'), eph('c', 'running'), eph('d', 'running', 'side')]);
  assert.deepEqual(runningDebugContainers(p, 'main').map((c) => c.name), ['c', 'a']);
  assert.equal(ephemeralOf(p, 'c')?.target, 'main');
  assert.equal(ephemeralOf(p, 'main'), undefined);
});

test('a debug tab is titled for the container it debugs', () => {
  assert.equal(debugTabTitle({ context: 'c', namespace: 'default', pod: 'distroless', container: 'main' }), 'debug distroless/main');
});
