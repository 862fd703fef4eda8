// Share links over serve mode: the fragment token is exchanged once for a strict cookie; a holder's
// connection is held to its link on the server (view mode never types, nothing outside the scope is
// answered, each refusal audited); revoking closes it; 1,000 wrong tokens from one address cost the others nothing.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { startTestClusters, type TestClusters } from '../../test/cluster/index.ts';
import { WireClient } from '../../common/wire/wireClient.ts';
import { Kubedeck, TERMINALS_GRACE_SECONDS } from '../core/kubedeck.ts';
import { startServer, type ServeHandle } from './server.ts';
import { SHARE_CLOSE_CODE } from './shareAccess.ts';
import { until } from '../../test/util/wait.ts';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function http(port: number, method: string, path: string, opts: { headers?: Record<string, string>; body?: string; from?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: opts.headers, localAddress: opts.from }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const tokenOf = (url: string): string => url.slice(url.indexOf('#t=') + 3);
const ref = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' };

describe('share links in serve mode', () => {
  let tc: TestClusters;
  let dir: string;
  let kubedeck: Kubedeck;
  let server: ServeHandle;
  let origin: string;
  let owner: WireClient;

  const exchange = (token: string, from?: string) =>
    http(server.port, 'POST', '/share/exchange', { headers: { Origin: origin, 'Content-Type': 'application/json' }, body: JSON.stringify({ token }), from });

  /** A holder: the exchange's cookie, then the share WebSocket. */
  async function holder(url: string): Promise<{ client: WireClient; ws: () => WebSocket; cookie: string }> {
    const x = await exchange(tokenOf(url));
    assert.equal(x.status, 200, x.body);
    const cookie = String(x.headers['set-cookie']).split(';')[0];
    let last: WebSocket | undefined;
    const client = new WireClient({ socket: () => (last = new WebSocket(`ws://127.0.0.1:${server.port}/ws?share=1`, { origin, headers: { Cookie: cookie } })) });
    await client.connect();
    return { client, ws: () => last!, cookie };
  }

  before(async () => {
    tc = await startTestClusters({ clusters: 1 });
    dir = await mkdtemp(join(tmpdir(), 'kd-share-serve-'));
    await mkdir(join(dir, 'ui', 'assets'), { recursive: true });
    await writeFile(join(dir, 'ui', 'index.html'), '<!doctype html><title>Kubedeck</title>');
    kubedeck = new Kubedeck({ dataDir: join(dir, 'data'), kubeconfig: tc.kubeconfigPath });
    kubedeck.settings.set(TERMINALS_GRACE_SECONDS, 0);
    server = await startServer({ kubedeck, port: 0, staticDir: join(dir, 'ui'), user: 'ann' });
    origin = `http://127.0.0.1:${server.port}`;
    owner = new WireClient({ socket: () => new WebSocket(`ws://127.0.0.1:${server.port}/ws?token=${server.token}`, { origin }) });
    await owner.connect();
  });

  after(async () => {
    owner?.close();
    await server?.close();
    await kubedeck?.shutdown();
    await tc?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a view link: the page is public, the token is traded once for a strict cookie, the holder watches and cannot type', async () => {
    const t = await owner.api.openTerminal({ ...ref, cols: 80, rows: 24 });
    const joined: string[] = [];
    owner.api.on('share.viewer', (e) => joined.push(`${e.action} ${e.viewer.label}`));
    const link = await owner.api.createShareLink({ terminal: t.id, mode: 'view', label: 'alice', ttlSeconds: 3600 });
    assert.match(link.url, new RegExp(`^http://127\\.0\\.0\\.1:${server.port}/share#t=`));
    const page = await http(server.port, 'GET', '/share');
    assert.equal(page.status, 200);
    assert.equal(page.headers['referrer-policy'], 'no-referrer');

    const x = await exchange(tokenOf(link.url));
    assert.equal(x.status, 200);
    assert.match(String(x.headers['set-cookie']), /^kubedeck_share=[\w-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Strict$/);
    assert.deepEqual(JSON.parse(x.body).session, { linkId: link.id, label: 'alice', mode: 'view', sharedBy: 'ann', expiresAt: link.expiresAt, terminal: t.id, files: false });

    const { client, ws } = await holder(link.url);
    assert.equal((await client.api.shareSession())?.label, 'alice');
    await until('the owner is told', () => joined.includes('joined alice'));
    assert.equal((await owner.api.listShareLinks())[0].viewers.length, 1);
    let seen = '';
    client.api.on('terminal.data', (d) => (seen += Buffer.from(d.data).toString()));
    client.api.on('terminal.snapshot', (s) => (seen += s.data));
    await client.api.attachTerminal(t.id, 80, 24);
    await owner.api.writeTerminal(t.id, 'echo owner-$((40+2))\n');
    await until('the holder sees the owner', () => seen.includes('owner-42'));

    const marker = join(tc.clusters[0].rootOf('default', 'shell', 'main'), 'tmp', 'observer-typed');
    await assert.rejects(client.api.writeTerminal(t.id, 'touch /tmp/observer-typed\n'), /view only/);
    await assert.rejects(client.api.resizeTerminal(t.id, 200, 50), /view only/);
    await assert.rejects(client.api.writeBroadcast('touch /tmp/observer-typed\n'), /outside what this link allows/);
    await assert.rejects(client.api.closeTerminal(t.id), /outside/);
    await assert.rejects(client.api.listClusters(), /outside/);
    await assert.rejects(client.api.addKubeconfig('/etc/passwd'), /outside/);
    await assert.rejects(client.api.listDir({ kind: 'local' }, '/'), /does not grant files/);
    await assert.rejects(client.api.readAudit(), /outside/);
    await assert.rejects(client.api.listRecordings(), /outside/);
    await assert.rejects(client.api.createShareLink({ terminal: t.id, mode: 'control', label: 'mallory', ttlSeconds: 600 }), /outside/);
    await assert.rejects(client.api.openTerminal({ ...ref, cols: 80, rows: 24 }), /cannot open others/);
    // The owner's proof from the pod: the observer's keystrokes never arrived.
    await owner.api.writeTerminal(t.id, 'echo check-$((1+1))\n');
    await until('the owner typed', () => seen.includes('check-2'));
    assert.equal(existsSync(marker), false, 'the observer typed nothing into the pod');

    const entries = await until('the refusals are audited', async () => {
      const { entries } = await owner.api.readAudit();
      return entries.filter((e) => e.kind === 'share.refuse' && e.who === 'share:alice').length >= 5 && entries;
    });
    assert.ok(entries.some((e) => e.kind === 'share.create' && e.who === 'ann' && e.details.link === 'share:alice'));
    assert.ok(entries.some((e) => e.kind === 'share.join' && e.who === 'share:alice' && e.details.mode === 'view'));
    assert.ok(entries.some((e) => e.kind === 'share.refuse' && e.details.method === 'writeTerminal'));

    // Revoke: the holder's socket is closed with the reason, the cookie and the token stop working.
    const closed = new Promise<{ code: number; reason: string }>((r) => ws().once('close', (code, reason) => r({ code, reason: reason.toString() })));
    await owner.api.revokeShareLink(link.id);
    assert.deepEqual(await closed, { code: SHARE_CLOSE_CODE, reason: 'This share link was revoked by its owner.' });
    client.close();
    const again = await exchange(tokenOf(link.url));
    assert.equal(again.status, 403);
    assert.equal(JSON.parse(again.body).reason, 'revoked');
    const status = await http(server.port, 'GET', '/share/status', { headers: { Cookie: String(x.headers['set-cookie']).split(';')[0] } });
    assert.equal(status.status, 403);
    assert.match(JSON.parse(status.body).message, /revoked/);
    await until('left is audited', async () => (await owner.api.readAudit()).entries.some((e) => e.kind === 'share.leave' && e.who === 'share:alice'));
    await owner.api.closeTerminal(t.id);
  });

  it('a control link to a container: terminals there only, files there only, sessions elsewhere unseen', async () => {
    const elsewhere = await owner.api.openTerminal({ ...ref, pod: 'busybox', container: 'main', cols: 80, rows: 24 });
    const link = await owner.api.createShareLink({ container: ref, mode: 'control', label: 'bob', ttlSeconds: 600, files: true, once: true });
    const { client } = await holder(link.url);
    const x2 = await exchange(tokenOf(link.url));
    assert.equal(JSON.parse(x2.body).reason, 'used', 'a one-time link works once');

    const mine = await client.api.openTerminal({ ...ref, cols: 80, rows: 24 });
    assert.equal(mine.state.state, 'connected');
    await assert.rejects(client.api.openTerminal({ ...ref, pod: 'busybox', cols: 80, rows: 24 }), /only be opened in the shared container/);
    await assert.rejects(client.api.attachTerminal(elsewhere.id, 80, 24), /not the one shared/);
    assert.deepEqual((await client.api.listSessions()).map((s) => s.id), [mine.id]);
    let out = '';
    client.api.on('terminal.data', (d) => (out += Buffer.from(d.data).toString()));
    await client.api.writeTerminal(mine.id, 'echo bob-$((3*3))\n');
    await until('bob typed', () => out.includes('bob-9'));
    assert.ok((await client.api.listDir({ kind: 'container', ...ref }, '/')).entries.some((e) => e.name === 'tmp'));
    await assert.rejects(client.api.listDir({ kind: 'container', ...ref, pod: 'busybox' }, '/'), /shared container/);
    await assert.rejects(client.api.listDir({ kind: 'local' }, '/'), /shared container/);
    await assert.rejects(client.api.listTransfers(), /outside/);
    await assert.rejects(client.api.reconnectCluster('kd-test-1'), /outside/);
    // Terminals the holder opened are audited under the link's name.
    await until('audited as share:bob', async () => (await owner.api.readAudit()).entries.some((e) => e.kind === 'terminal.open' && e.who === 'share:bob'));
    client.close();
    await owner.api.closeTerminal(elsewhere.id);
  });

  it('tampered, foreign and expired tokens get a sentence; 1,000 wrong tokens from one address leave the others unharmed', async () => {
    const t = await owner.api.openTerminal({ ...ref, cols: 80, rows: 24 });
    const link = await owner.api.createShareLink({ terminal: t.id, mode: 'view', label: 'carol', ttlSeconds: 600 });
    const tok = tokenOf(link.url);
    const tampered = await exchange(tok.slice(0, -3) + (tok.endsWith('AAA') ? 'BBB' : 'AAA'));
    assert.equal(tampered.status, 403);
    assert.match(JSON.parse(tampered.body).message, /tampered/);
    assert.match(JSON.parse((await exchange('not.a.token')).body).message, /not a Kubedeck share link/);
    let limited = 0;
    let flooding = true;
    // While the flood runs, the owner keeps working: every one of its calls is answered.
    let ownerCalls = 0;
    const ownerWorks = (async () => {
      while (flooding) {
        assert.ok(Array.isArray(await owner.api.listSessions()));
        ownerCalls++;
      }
    })();
    try {
      for (let i = 0; i < 1000; i++) {
        const r = await exchange(`${tok}x${i}`);
        if (r.status === 429) limited++;
        else assert.equal(r.status, 403);
      }
    } finally {
      flooding = false;
    }
    await ownerWorks;
    assert.ok(ownerCalls > 0, 'the owner was answered during the flood');
    assert.ok(limited > 900, `most wrong tries are turned away before any check (${limited})`);
    // Another address is not held back, nor is the owner.
    const good = await exchange(tok, '127.0.0.2');
    assert.equal(good.status, 200);
    assert.equal((await owner.api.listShareLinks()).length >= 1, true);
    const audit = (await owner.api.readAudit()).entries;
    assert.ok(audit.filter((e) => e.kind === 'share.refuse' && e.details.reason === 'rate-limited').length <= 2, 'rate-limited tries are audited once a minute, not 1,000 times');
    await owner.api.closeTerminal(t.id);
    // A link whose terminal has ended says so.
    const ended = await exchange(tok, '127.0.0.3');
    assert.match(JSON.parse(ended.body).message, /has ended/);
  });
});
