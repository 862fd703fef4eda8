import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { WireClient } from '../../common/wire/wireClient.ts';
import { until } from '../../test/util/wait.ts';
import { makeSelfSigned, SELF_SIGNED_FILE } from '../serve/tlsCert.ts';
import { parseServeArgs, serveWarnings, startServe } from './serveCommand.ts';

describe('kubedeck serve arguments', () => {
  it('defaults to loopback and a free port', () => {
    assert.deepEqual(parseServeArgs([]), { port: 0, host: '127.0.0.1' });
  });
  it('reads --port, --host, --kubeconfig, --token in both spellings', () => {
    assert.deepEqual(parseServeArgs(['--port', '8080', '--kubeconfig=/k', '--host', '::1', '--token', 'x'.repeat(20)]), {
      port: 8080,
      host: '::1',
      kubeconfig: '/k',
      token: 'x'.repeat(20),
    });
  });
  it('reads --user and --rotate-share-key', () => {
    assert.deepEqual(parseServeArgs(['--user', 'ann', '--rotate-share-key']), { port: 0, host: '127.0.0.1', user: 'ann', rotateShareKey: true });
    assert.throws(() => parseServeArgs(['--user', 'a b']), /--user must be/);
    assert.throws(() => parseServeArgs(['--rotate-share-key=yes']), /takes no value/);
  });

  it('reads the SSH gateway options', () => {
    assert.deepEqual(parseServeArgs(['--ssh-port', '2222', '--ssh-authorized-keys', '/k', '--ssh-host-key=/h']), {
      port: 0,
      host: '127.0.0.1',
      sshPort: 2222,
      sshAuthorizedKeys: '/k',
      sshHostKey: '/h',
    });
    assert.throws(() => parseServeArgs(['--ssh-port', 'ssh']), /--ssh-port must be a number/);
    assert.throws(() => parseServeArgs(['--ssh-host-key', '/h']), /--ssh-host-key needs --ssh-port/);
  });

  it('refuses bad input with a clear message', () => {
    assert.throws(() => parseServeArgs(['--port', 'http']), /--port must be a number/);
    assert.throws(() => parseServeArgs(['--port', '70000']), /--port must be a number/);
    assert.throws(() => parseServeArgs(['--kubeconfig']), /needs a value/);
    assert.throws(() => parseServeArgs(['--token', 'short']), /at least 16/);
    assert.throws(() => parseServeArgs(['--frobnicate']), /unknown option "--frobnicate"\nusage: kubedeck serve/);
  });
});

describe('kubedeck serve: TLS, warnings, the share key', () => {
  let dir: string;
  let kubeconfig: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'kd-serve-cmd-'));
    kubeconfig = join(dir, 'kubeconfig');
    await writeFile(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
  });
  after(() => rm(dir, { recursive: true, force: true }));

  /** A POST over https (or http), verifying the server against `ca` when given. */
  function post(url: string, body: string, ca?: string): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    const u = new URL(url);
    const send = u.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const req = send({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', ca, headers: { Origin: u.origin, 'Content-Type': 'application/json' } }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }
  const tokenOf = (url: string): string => url.slice(url.indexOf('#t=') + 3);
  const ref = { context: 'c', namespace: 'n', pod: 'p', container: 'main' };

  it('reads --tls-cert/--tls-key and --tls-self-signed, and refuses half of a pair', () => {
    assert.deepEqual(parseServeArgs(['--tls-cert', '/c.pem', '--tls-key', '/k.pem']), { port: 0, host: '127.0.0.1', tlsCert: '/c.pem', tlsKey: '/k.pem' });
    assert.deepEqual(parseServeArgs(['--tls-self-signed']), { port: 0, host: '127.0.0.1', tlsSelfSigned: true });
    assert.throws(() => parseServeArgs(['--tls-cert', '/c.pem']), /--tls-cert and --tls-key go together/);
    assert.throws(() => parseServeArgs(['--tls-key', '/k.pem']), /--tls-cert and --tls-key go together/);
    assert.throws(() => parseServeArgs(['--tls-self-signed', '--tls-cert', '/c', '--tls-key', '/k']), /not both/);
  });

  it('warns beyond loopback without TLS; prints the fingerprint with it', () => {
    assert.deepEqual(serveWarnings({ host: '127.0.0.1' }, undefined), []);
    const open = serveWarnings({ host: '0.0.0.0' }, undefined);
    assert.equal(open.length, 2);
    assert.match(open[0], /not loopback/);
    assert.match(open[1], /without TLS .*share links, cookies and keystrokes travel in clear text/);
    const pair = makeSelfSigned(['localhost']);
    const withTls = serveWarnings({ host: '0.0.0.0', tlsSelfSigned: true }, pair);
    assert.equal(withTls.some((l) => /clear text/.test(l)), false);
    assert.ok(withTls.includes(`HTTPS certificate SHA-256 fingerprint: ${pair.fingerprint}`));
    assert.ok(withTls.some((l) => /self-signed: a browser warns once/.test(l)));
  });

  it('--tls-self-signed serves HTTPS and WSS: the owner calls over wss://, a share link is https:// and its cookie Secure', async () => {
    const dataDir = join(dir, 'tls-data');
    const running = await startServe({ ...parseServeArgs(['--tls-self-signed', '--user', 'ann']), kubeconfig }, { dataDir });
    try {
      const tls = running.tls!;
      assert.equal(new X509Certificate(readFileSync(join(dataDir, SELF_SIGNED_FILE), 'utf8').replace(/^[\s\S]*?(?=-----BEGIN CERTIFICATE)/, '')).fingerprint256, tls.fingerprint);
      assert.match(running.server.url, /^https:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const origin = new URL(running.server.url).origin;
      const owner = new WireClient({ socket: () => new WebSocket(`wss://127.0.0.1:${running.server.port}/ws?token=${running.server.token}`, { origin, ca: tls.cert }) });
      await owner.connect();
      try {
        const link = await owner.api.createShareLink({ container: ref, mode: 'view', label: 'alice', ttlSeconds: 600 });
        assert.ok(link.url.startsWith(`https://127.0.0.1:${running.server.port}/share#t=`), link.url);
        const x = await post(`${origin}/share/exchange`, JSON.stringify({ token: tokenOf(link.url) }), tls.cert);
        assert.equal(x.status, 200, x.body);
        assert.match(String(x.headers['set-cookie']), /HttpOnly; SameSite=Strict; Secure$/);
      } finally {
        owner.close();
      }
      // Plain http to the TLS port is not served.
      await assert.rejects(post(`http://127.0.0.1:${running.server.port}/share/exchange`, '{}'));
    } finally {
      await running.stop();
    }
  });

  it('links survive a restart on the same data folder; --rotate-share-key refuses every one made before', async () => {
    const dataDir = join(dir, 'rotate-data');
    const first = await startServe({ ...parseServeArgs([]), kubeconfig }, { dataDir });
    let url: string;
    try {
      const owner = new WireClient({ socket: () => new WebSocket(`ws://127.0.0.1:${first.server.port}/ws?token=${first.server.token}`, { origin: `http://127.0.0.1:${first.server.port}` }) });
      await owner.connect();
      url = (await owner.api.createShareLink({ container: ref, mode: 'view', label: 'bob', ttlSeconds: 600 })).url;
      await owner.api.createShareLink({ container: ref, mode: 'control', label: 'carol', ttlSeconds: 600 });
      owner.close();
    } finally {
      await first.stop();
    }
    const exchangeOn = (running: { server: { port: number } }) =>
      post(`http://127.0.0.1:${running.server.port}/share/exchange`, JSON.stringify({ token: tokenOf(url) }));
    const second = await startServe({ ...parseServeArgs([]), kubeconfig }, { dataDir });
    try {
      const x = await exchangeOn(second);
      assert.equal(x.status, 200, `a restart keeps links: ${x.body}`);
    } finally {
      await second.stop();
    }
    const rotated = await startServe({ ...parseServeArgs(['--rotate-share-key', '--user', 'ann']), kubeconfig }, { dataDir });
    try {
      const x = await exchangeOn(rotated);
      assert.equal(x.status, 403);
      assert.equal(JSON.parse(x.body).reason, 'rotated');
      assert.match(JSON.parse(x.body).message, /share key was replaced/);
      assert.deepEqual(rotated.kubedeck.share.list(), [], 'no link is listed after a rotation');
      await until('the rotation is audited', async () => (await rotated.kubedeck.audit.read()).some((e) => e.kind === 'share.rotate' && e.who === 'ann'));
    } finally {
      await rotated.stop();
    }
  });
});
