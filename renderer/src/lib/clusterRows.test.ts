import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ClusterInfo, ContainerInfo, PodInfo } from '../../../common/contract/index.ts';
import { clusterKey, containerTone, defaultContainer, filterPlaceholder, matchParts, stateLabel, namespaceKey, podKey, podsKey, podTone, rowId, terminalTarget, treeRows, type TreeInput, type TreeRow } from './clusterRows.ts';

const cluster = (context: string, status: ClusterInfo['status'] = { state: 'connected' }): ClusterInfo => ({ context, cluster: context, source: '/k', defaultNamespace: 'default', status });
const container = (name: string, state: ContainerInfo['state'] = 'running', ready = true): ContainerInfo => ({ name, image: 'img', state, ready });
const pod = (context: string, namespace: string, name: string, containers = [container('main')], phase = 'Running'): PodInfo => ({ context, namespace, name, phase, containers });

function input(over: Partial<TreeInput> = {}): TreeInput {
  return { clusters: [], namespaces: {}, namespaceErrors: {}, pods: {}, podErrors: {}, loading: {}, expanded: {}, filter: '', ...over };
}

/** A row in a line: kind, depth, name, and what it says (count, note text, expanded). */
function show(rows: TreeRow[]): string[] {
  return rows.map((r) => {
    const pad = '  '.repeat(r.depth);
    switch (r.kind) {
      case 'cluster':
        return `${pad}cluster ${r.cluster.context}${r.expanded ? ' open' : ''}`;
      case 'namespace':
        return `${pad}ns ${r.namespace}${r.expanded ? ' open' : ''}${r.count !== undefined ? ` (${r.count})` : ''}${r.loading ? ' loading' : ''}${r.error ? ` !${r.error}` : ''}`;
      case 'pod':
        return `${pad}pod ${r.pod.name}${r.expanded ? ' open' : ''}`;
      case 'container':
        return `${pad}container ${r.container.name}${r.ephemeral ? ` (ephemeral → ${r.container.target}, ${r.container.state})` : ''}`;
      case 'note':
        return `${pad}note ${r.tone}: ${r.text}`;
    }
  });
}

const twoClusters = () =>
  input({
    clusters: [cluster('c1'), cluster('c2')],
    namespaces: { c1: [{ context: 'c1', name: 'default' }, { context: 'c1', name: 'kube-system' }] },
    pods: { [podsKey('c1', 'default')]: [pod('c1', 'default', 'shell', [container('main'), container('side')]), pod('c1', 'default', 'web')] },
    expanded: { [clusterKey('c1')]: true, [namespaceKey('c1', 'default')]: true, [podKey('c1', 'default', 'shell')]: true },
  });

test('rows follow what is expanded, with counts where pods are known', () => {
  assert.deepEqual(show(treeRows(twoClusters())), [
    'cluster c1 open',
    '  ns default open (2)',
    '    pod shell open',
    '      container main',
    '      container side',
    '    pod web',
    '  ns kube-system',
    'cluster c2',
  ]);
});

test('ephemeral (debug) containers show under their pod after its containers, with their target and state', () => {
  const t = twoClusters();
  const shell = t.pods[podsKey('c1', 'default')][0];
  shell.ephemeralContainers = [{ ...container('kubedeck-debug-ab12c', 'waiting', false), reason: 'ErrImagePull', target: 'main' }, { ...container('debugger-x'), target: 'side' }];
  const rows = treeRows(t);
  assert.deepEqual(show(rows).slice(2, 7), [
    '    pod shell open',
    '      container main',
    '      container side',
    '      container kubedeck-debug-ab12c (ephemeral → main, waiting)',
    '      container debugger-x (ephemeral → side, running)',
  ]);
  const eph = rows.find((r) => r.kind === 'container' && r.container.name === 'debugger-x');
  assert.ok(eph);
  assert.deepEqual(terminalTarget(eph), { context: 'c1', namespace: 'default', pod: 'shell', container: 'debugger-x' }, 'a terminal opens in the debug container itself');
});

test('notes say what is loading, empty or failed; a cluster in error says it on its own row', () => {
  const t = input({
    clusters: [cluster('loading'), cluster('failed'), cluster('down', { state: 'error', reason: 'unreachable' }), cluster('empty')],
    namespaces: { empty: [] },
    namespaceErrors: { failed: '403 Forbidden', down: 'unreachable' },
    expanded: { [clusterKey('loading')]: true, [clusterKey('failed')]: true, [clusterKey('down')]: true, [clusterKey('empty')]: true },
  });
  assert.deepEqual(show(treeRows(t)), [
    'cluster loading open',
    '  note muted: Loading namespaces…',
    'cluster failed open',
    '  note error: 403 Forbidden',
    'cluster down open',
    'cluster empty open',
    '  note muted: No namespaces',
  ]);

  const ns = input({
    clusters: [cluster('c')],
    namespaces: { c: ['a', 'b', 'c', 'd'].map((name) => ({ context: 'c', name })) },
    pods: { [podsKey('c', 'c')]: [], [podsKey('c', 'd')]: [pod('c', 'd', 'p')] },
    podErrors: { [podsKey('c', 'b')]: 'forbidden', [podsKey('c', 'd')]: 'watch lost' },
    loading: { [namespaceKey('c', 'a')]: true },
    expanded: Object.fromEntries([clusterKey('c'), ...['a', 'b', 'c', 'd'].map((n) => namespaceKey('c', n))].map((k) => [k, true])),
  });
  assert.deepEqual(show(treeRows(ns)), [
    'cluster c open',
    '  ns a open loading',
    '    note muted: Loading pods…',
    '  ns b open !forbidden',
    '    note error: forbidden',
    '  ns c open (0)',
    '    note muted: No pods',
    // Pods already listed stay shown when a later reload failed.
    '  ns d open (1) !watch lost',
    '    pod p',
  ]);
});

test('the filter shows matching pods, open, in every cluster; case and namespace/name both match', () => {
  const t = twoClusters();
  t.namespaces.c2 = [{ context: 'c2', name: 'default' }];
  t.pods[podsKey('c2', 'default')] = [pod('c2', 'default', 'Shell-2'), pod('c2', 'default', 'db')];
  t.pods[podsKey('c1', 'kube-system')] = [pod('c1', 'kube-system', 'dns')];
  t.filter = '  SHELL ';
  assert.deepEqual(show(treeRows(t)), [
    'cluster c1 open',
    '  ns default open (1)',
    '    pod shell open',
    '      container main',
    '      container side',
    'cluster c2 open',
    '  ns default open (1)',
    '    pod Shell-2',
  ]);
  t.filter = 'kube-system/d';
  assert.deepEqual(show(treeRows(t)), ['cluster c1 open', '  ns kube-system open (1)', '    pod dns']);
});

test('a matching namespace or cluster shows all its pods; a matching empty namespace is still listed', () => {
  const t = twoClusters();
  t.filter = 'default';
  assert.deepEqual(show(treeRows(t)).filter((l) => !l.includes('container')), ['cluster c1 open', '  ns default open (2)', '    pod shell open', '    pod web']);
  t.filter = 'c2';
  assert.deepEqual(show(treeRows(t)), ['cluster c2 open']);
  t.filter = 'kube';
  assert.deepEqual(show(treeRows(t)), ['cluster c1 open', '  ns kube-system open (0)']);
  t.filter = 'nothing-like-it';
  assert.deepEqual(treeRows(t), []);
});

test('a pod opens into its first running container, else its first; a container into itself', () => {
  const p = pod('c', 'ns', 'p', [container('init', 'terminated'), container('app'), container('side')]);
  assert.equal(defaultContainer(p), 'app');
  assert.equal(defaultContainer(pod('c', 'ns', 'q', [container('a', 'waiting'), container('b', 'waiting')])), 'a');
  assert.equal(defaultContainer(pod('c', 'ns', 'r', [])), undefined);
  assert.deepEqual(terminalTarget({ kind: 'pod', key: 'k', depth: 2, pod: p, expanded: false }), { context: 'c', namespace: 'ns', pod: 'p', container: 'app' });
  assert.deepEqual(terminalTarget({ kind: 'container', key: 'k', depth: 3, pod: p, container: p.containers[2] }), { context: 'c', namespace: 'ns', pod: 'p', container: 'side' });
  assert.equal(terminalTarget({ kind: 'pod', key: 'k', depth: 2, pod: pod('c', 'ns', 'r', []), expanded: false }), undefined);
  assert.equal(terminalTarget({ kind: 'cluster', key: 'k', depth: 0, cluster: cluster('c'), expanded: false }), undefined);
});

test('tones: ready running pods are ok, pending or unready ones warn, failed ones are errors', () => {
  assert.equal(podTone(pod('c', 'n', 'p')), 'ok');
  assert.equal(podTone(pod('c', 'n', 'p', [container('a', 'waiting', false)])), 'warn');
  assert.equal(podTone(pod('c', 'n', 'p', [container('a', 'terminated', true)])), 'ok');
  assert.equal(podTone(pod('c', 'n', 'p', [], 'Pending')), 'warn');
  assert.equal(podTone(pod('c', 'n', 'p', [], 'Failed')), 'error');
  assert.equal(podTone(pod('c', 'n', 'p', [], 'Succeeded')), 'muted');
  assert.equal(containerTone(container('a')), 'ok');
  assert.equal(containerTone(container('a', 'terminated')), 'muted');
  assert.equal(containerTone(container('a', 'waiting')), 'warn');
});

test('the match is marked case-insensitively, at its first place; row ids have no separator', () => {
  assert.deepEqual(matchParts('my-Shell-shell', ' shell'), { pre: 'my-', hit: 'Shell', post: '-shell' });
  assert.deepEqual(matchParts('web', 'db'), { pre: 'web', hit: '', post: '' });
  assert.deepEqual(matchParts('web', ''), { pre: 'web', hit: '', post: '' });
  assert.equal(rowId(podKey('c', 'ns', 'p')), 'row-p-c-ns-p');
});

test('the filter placeholder counts pods only when it knows them all, else the namespaces it searches', () => {
  const ns = (context: string, ...names: string[]) => names.map((name) => ({ context, name }));
  const t = input({
    clusters: [cluster('c1'), cluster('c2'), cluster('down', { state: 'error', reason: 'refused' })],
    namespaces: { c1: ns('c1', 'default', 'restricted'), c2: ns('c2', 'default', 'restricted') },
    // What the tree had loaded when it said "12 pods": the default namespaces only.
    pods: { [podsKey('c1', 'default')]: Array.from({ length: 6 }, (_, i) => pod('c1', 'default', `p${i}`)), [podsKey('c2', 'default')]: Array.from({ length: 6 }, (_, i) => pod('c2', 'default', `p${i}`)) },
  });
  assert.equal(filterPlaceholder(t), 'Filter pods in 4 namespaces…');
  t.pods[podsKey('c1', 'restricted')] = [pod('c1', 'restricted', 'shell')];
  t.pods[podsKey('c2', 'restricted')] = [pod('c2', 'restricted', 'shell')];
  // Every namespace of every connected cluster loaded (a cluster in error has none to count).
  assert.equal(filterPlaceholder(t), 'Filter 14 pods…');
  assert.equal(filterPlaceholder({ ...t, namespaces: { c1: t.namespaces.c1 } }), 'Filter pods in 2 namespaces…', 'c2 has not listed its namespaces yet');
  assert.equal(filterPlaceholder(input({ clusters: [cluster('c1')] })), 'Filter pods…');
  assert.equal(filterPlaceholder(input({ clusters: [cluster('c1')], namespaces: { c1: ns('c1', 'one') }, pods: { [podsKey('c1', 'one')]: [pod('c1', 'one', 'x')] } })), 'Filter 1 pod…');
});

test('pod phases and container states read alike: "Running", not "Running" and "running"', () => {
  assert.equal(stateLabel('Running'), 'Running');
  assert.equal(stateLabel('running'), 'Running');
  assert.equal(stateLabel('waiting'), 'Waiting');
  assert.equal(stateLabel('CrashLoopBackOff'), 'CrashLoopBackOff');
  assert.equal(stateLabel(''), '');
});
