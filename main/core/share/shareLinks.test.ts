// Share links in core: create, exchange once, revoke, expire, survive a restart — and the audit trail says so.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AuditLog } from '../audit/auditLog.ts';
import { until } from '../../../test/util/wait.ts';
import { ShareLinks } from './shareLinks.ts';
import { SHARE_LINKS_FILE } from './shareStore.ts';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const ref = { context: 'kd-test-1', namespace: 'default', pod: 'shell', container: 'main' };

function make(dir = mkdtempSync(join(tmpdir(), 'kd-share-')), now?: () => number) {
  if (!dirs.includes(dir)) dirs.push(dir);
  const audit = new AuditLog(join(dir, 'audit.jsonl'));
  const running = new Set(['t1']);
  const links = new ShareLinks({ dataDir: dir, audit, terminalRef: (id) => (running.has(id) ? ref : undefined), now });
  links.setBaseUrl('http://127.0.0.1:9999/');
  return { dir, audit, running, links };
}

const tokenOf = (url: string): string => url.slice(url.indexOf('#t=') + 3);

describe('share links', () => {
  it('makes a link whose token travels in the fragment, and trades it for a cookie bound to the link', async () => {
    const { links, audit, dir } = make();
    const made = await links.create('ann', { terminal: 't1', mode: 'view', label: 'alice', ttlSeconds: 3600 });
    assert.match(made.url, /^http:\/\/127\.0\.0\.1:9999\/share#t=[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.ok(Math.abs(made.expiresAt - (Date.now() + 3600_000)) < 5000);
    assert.equal(statSync(join(dir, SHARE_LINKS_FILE)).mode & 0o777, 0o600);
    const x = await links.exchange(tokenOf(made.url), '127.0.0.1');
    assert.ok(x.ok);
    assert.equal(links.byCookie(x.cookie)?.id, made.id);
    assert.equal(links.byCookie('not-a-cookie'), undefined);
    // Exchanged again (not a one-time link): a second cookie, both good.
    const y = await links.exchange(tokenOf(made.url), '127.0.0.1');
    assert.ok(y.ok && links.byCookie(y.cookie)?.id === made.id);
    const [info] = links.list();
    assert.deepEqual([info.label, info.mode, info.terminal, info.createdBy, info.once], ['alice', 'view', 't1', 'ann', false]);
    await until('the audit line', async () => (await audit.read()).some((e) => e.kind === 'share.create'));
    const create = (await audit.read()).find((e) => e.kind === 'share.create')!;
    assert.equal(create.who, 'ann');
    assert.equal(create.details.link, 'share:alice');
  });

  it('refuses bad requests with a sentence', async () => {
    const { links } = make();
    await assert.rejects(links.create('ann', { terminal: 'gone', mode: 'view', label: 'alice', ttlSeconds: 3600 }), /has ended or never existed/);
    await assert.rejects(links.create('ann', { terminal: 't1', mode: 'view', label: 'a b', ttlSeconds: 3600 }), /label/);
    await assert.rejects(links.create('ann', { terminal: 't1', mode: 'view', label: 'alice', ttlSeconds: 8 * 86400 }), /1 minute to 7 days/);
    await assert.rejects(links.create('ann', { terminal: 't1', mode: 'edit' as 'view', label: 'alice', ttlSeconds: 3600 }), /mode/);
    await assert.rejects(links.create('ann', { container: { ...ref, pod: '' }, mode: 'view', label: 'alice', ttlSeconds: 3600 }), /container\.pod/);
    await assert.rejects(links.create('ann', { terminal: 't1', container: ref, mode: 'view', label: 'alice', ttlSeconds: 3600 }), /either a terminal or a container/);
    const desktop = make().links;
    desktop.setBaseUrl(undefined);
    await assert.rejects(desktop.create('ann', { terminal: 't1', mode: 'view', label: 'alice', ttlSeconds: 3600 }), /kubedeck serve/);
  });

  it('a one-time link is used by its first exchange only (racing exchanges: one wins)', async () => {
    const { links, audit } = make();
    const made = await links.create('ann', { container: ref, mode: 'control', label: 'bob', ttlSeconds: 600, once: true });
    const results = await Promise.all([links.exchange(tokenOf(made.url), 'a'), links.exchange(tokenOf(made.url), 'b')]);
    assert.deepEqual(results.map((r) => r.ok).sort(), [false, true]);
    const lost = results.find((r) => !r.ok);
    assert.ok(lost && !lost.ok && lost.reason === 'used' && /already been used/.test(lost.message));
    await until('the audit line', async () => (await audit.read()).some((e) => e.kind === 'share.refuse' && e.who === 'share:bob' && e.details.reason === 'used'));
  });

  it('revoking refuses the token and the cookies, and closes the holders at once', async () => {
    const { links, audit } = make();
    const made = await links.create('ann', { terminal: 't1', mode: 'view', label: 'carol', ttlSeconds: 600 });
    const x = await links.exchange(tokenOf(made.url), 'a');
    assert.ok(x.ok);
    const closed: string[] = [];
    const { viewer, leave } = links.join(x.record, 'a', (why) => closed.push(why));
    assert.equal(links.list()[0].viewers[0].id, viewer.id);
    await links.revoke(made.id, 'ann');
    assert.deepEqual(closed, ['This share link was revoked by its owner.']);
    leave();
    assert.equal(links.byCookie(x.cookie), undefined);
    const again = await links.exchange(tokenOf(made.url), 'a');
    assert.ok(!again.ok && again.reason === 'revoked');
    assert.deepEqual(links.list(), []);
    await until('the audit line', async () => (await audit.read()).some((e) => e.kind === 'share.leave'));
    const kinds = (await audit.read()).map((e) => `${e.kind} ${e.who}`);
    assert.deepEqual(kinds, ['share.create ann', 'share.join share:carol', 'share.revoke ann', 'share.leave share:carol', 'share.refuse share:carol']);
  });

  it('a link to a terminal that has ended says so', async () => {
    const { links, running } = make();
    const made = await links.create('ann', { terminal: 't1', mode: 'view', label: 'dave', ttlSeconds: 600 });
    running.delete('t1');
    const x = await links.exchange(tokenOf(made.url), 'a');
    assert.ok(!x.ok && x.reason === 'ended' && /has ended/.test(x.message));
  });

  it('expiry closes the holders and is audited; an expired token is refused', async () => {
    let clock = Date.now();
    const { links, audit } = make(undefined, () => clock);
    const made = await links.create('ann', { terminal: 't1', mode: 'view', label: 'erin', ttlSeconds: 60 });
    const x = await links.exchange(tokenOf(made.url), 'a');
    assert.ok(x.ok);
    const closed: string[] = [];
    links.join(x.record, 'a', (why) => closed.push(why));
    clock += 61_000;
    assert.equal(links.byCookie(x.cookie), undefined);
    const late = await links.exchange(tokenOf(made.url), 'a');
    assert.ok(!late.ok && late.reason === 'expired');
    // The timer was armed for 60 s of the fake clock; fire it through a fresh instance's view of time:
    (links as unknown as { expire(r: unknown): void }).expire(x.record);
    assert.deepEqual(closed, ['This share link has expired.']);
    await until('the audit line', async () => (await audit.read()).some((e) => e.kind === 'share.expire' && e.who === 'share:erin'));
    links.dispose();
  });

  it('links survive a restart (same data folder); a rotated key refuses them all', async () => {
    const first = make();
    const made = await first.links.create('ann', { container: ref, mode: 'control', label: 'fay', ttlSeconds: 600, files: true });
    first.links.dispose();
    const second = make(first.dir);
    const x = await second.links.exchange(tokenOf(made.url), 'a');
    assert.ok(x.ok && x.record.files === true && x.record.container?.pod === 'shell');
    second.links.rotateKey('ann');
    const y = await second.links.exchange(tokenOf(made.url), 'a');
    assert.ok(!y.ok && y.reason === 'rotated');
    assert.equal(second.links.byCookie(x.ok ? x.cookie : ''), undefined);
    second.links.dispose();
  });
});
