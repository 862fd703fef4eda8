// The pod as the renderer sees it: container states from containerStatuses, defaults for what is missing.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { toPodInfo } from './podInfo.ts';

it('maps container states, reasons and readiness, and fills in what a pod object lacks', () => {
  const info = toPodInfo('ctx', {
    metadata: { name: 'web', namespace: 'shop', creationTimestamp: '2024-05-01T10:00:00Z' as unknown as Date },
    spec: { containers: [{ name: 'a', image: 'nginx' }, { name: 'b', image: 'busybox' }, { name: 'c', image: 'x' }, { name: 'd' }] },
    status: {
      phase: 'Running',
      containerStatuses: [
        { name: 'a', ready: true, state: { running: {} } } as never,
        { name: 'b', ready: false, state: { waiting: { reason: 'CrashLoopBackOff' } } } as never,
        { name: 'c', ready: false, state: { terminated: { reason: 'Completed', exitCode: 0 } } } as never,
      ],
    },
  });
  assert.deepEqual(info, {
    context: 'ctx',
    namespace: 'shop',
    name: 'web',
    phase: 'Running',
    created: '2024-05-01T10:00:00.000Z',
    containers: [
      { name: 'a', image: 'nginx', state: 'running', ready: true },
      { name: 'b', image: 'busybox', state: 'waiting', ready: false, reason: 'CrashLoopBackOff' },
      { name: 'c', image: 'x', state: 'terminated', ready: false, reason: 'Completed' },
      { name: 'd', image: '', state: 'unknown', ready: false },
    ],
  });
  assert.deepEqual(toPodInfo('ctx', {}), { context: 'ctx', namespace: '', name: '', phase: 'Unknown', containers: [], created: undefined });
});

it('lists ephemeral containers apart, with their target and the message of an image that cannot be pulled', () => {
  const info = toPodInfo('ctx', {
    metadata: { name: 'app', namespace: 'default' },
    spec: {
      containers: [{ name: 'main', image: 'distroless' }],
      ephemeralContainers: [{ name: 'dbg-1', image: 'busybox', targetContainerName: 'main' }, { name: 'dbg-2', image: 'nosuch' }, { name: 'dbg-3', image: 'busybox' }],
    },
    status: {
      phase: 'Running',
      ephemeralContainerStatuses: [
        { name: 'dbg-1', ready: false, state: { running: {} } } as never,
        { name: 'dbg-2', ready: false, state: { waiting: { reason: 'ErrImagePull', message: 'pull access denied' } } } as never,
      ],
    },
  });
  assert.deepEqual(info.containers.map((c) => c.name), ['main']);
  assert.deepEqual(info.ephemeralContainers, [
    { name: 'dbg-1', image: 'busybox', state: 'running', ready: false, target: 'main' },
    { name: 'dbg-2', image: 'nosuch', state: 'waiting', ready: false, reason: 'ErrImagePull', message: 'pull access denied' },
    { name: 'dbg-3', image: 'busybox', state: 'waiting', ready: false, reason: 'ContainerCreating' },
  ]);
});

it('workload: a ReplicaSet with the pod-template-hash is its Deployment; other controllers as named; a bare pod has none', () => {
  const owned = (kind: string, name: string, labels?: Record<string, string>) =>
    toPodInfo('ctx', { metadata: { name: 'p', labels, ownerReferences: [{ apiVersion: 'apps/v1', kind, name, uid: 'u', controller: true }] } }).workload;
  assert.deepEqual(owned('ReplicaSet', 'web-7d4b9c', { 'pod-template-hash': '7d4b9c' }), { kind: 'Deployment', name: 'web' });
  assert.deepEqual(owned('ReplicaSet', 'bare-rs'), { kind: 'ReplicaSet', name: 'bare-rs' });
  assert.deepEqual(owned('StatefulSet', 'db'), { kind: 'StatefulSet', name: 'db' });
  assert.equal(toPodInfo('ctx', { metadata: { name: 'p' } }).workload, undefined);
});
