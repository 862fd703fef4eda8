/**
 * Share a terminal, end to end, with two people: the owner's page (serve mode, `--user ann`) and a
 * teammate's — each in its own browser context, so they share no cookie. The owner makes links from a
 * tab's menu and copies them; the teammate opens them. Checked as each of them sees it, and in the pod.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { loadShareKey } from '../../main/core/share/shareKey.ts';
import { signShareToken } from '../../main/core/share/shareTokens.ts';
import { makeSelfSigned } from '../../main/serve/tlsCert.ts';
import { paneText, startE2E, waitFor, waitForPaneText, type E2E } from './helpers.ts';
import { endE2E, terminalTabs, type PodTab } from './terminalTabs.ts';

let e2e: E2E;
let page: Page;
const shots = process.env.KUBEDECK_E2E_SHOTS;

const { podRow, openPod, waitState, run, paneOfTab } = terminalTabs(() => page);

interface Teammate {
  context: BrowserContext;
  page: Page;
  /** Every URL the teammate's browser requested (the token must be in none). */
  requests: string[];
  /** Share WebSockets the page opened, and whether each has closed. */
  sockets: { url: string; closed: boolean }[];
}

async function teammate(opts: { https?: boolean } = {}): Promise<Teammate> {
  const context = await e2e.browser.newContext({ viewport: { width: 1100, height: 700 }, ignoreHTTPSErrors: opts.https === true });
  const p = await context.newPage();
  const t: Teammate = { context, page: p, requests: [], sockets: [] };
  p.on('request', (r) => t.requests.push(`${r.method()} ${r.url()}`));
  p.on('websocket', (ws) => {
    const s = { url: ws.url(), closed: false };
    t.sockets.push(s);
    ws.on('close', () => (s.closed = true));
  });
  p.on('pageerror', (err) => e2e.pageErrors.push(`teammate: ${err.message}`));
  // A new document (reload, goto) drops the old one's sockets; Playwright reports no close for those.
  p.on('framenavigated', (f) => {
    if (f === p.mainFrame()) for (const s of t.sockets) s.closed = true;
  });
  return t;
}

/** The URL as the teammate opens it: the copied link with `?renderer=dom`, so the test can read the screen's text. */
const domUrl = (url: string): string => url.replace('/share#', '/share?renderer=dom#');
const tokenOf = (url: string): string => url.slice(url.indexOf('#t=') + 3);

/** Share… from the tab's menu, the dialog filled in, Create link, Copy: the URL from the clipboard. */
async function shareFromMenu(tabKey: string, o: { mode: 'view' | 'control'; label: string; expiry?: string; once?: boolean; container?: boolean; files?: boolean }): Promise<string> {
  await page.locator(`[data-testid=tab][data-tab-key="${tabKey}"]`).click({ button: 'right' });
  await page.getByTestId('tab-menu').getByTestId('tab-share').click();
  const dialog = page.getByTestId('share-dialog');
  await dialog.waitFor();
  if (o.container) await dialog.getByTestId('share-scope-container').check();
  else await dialog.getByTestId('share-scope-terminal').check();
  if (o.files) await dialog.getByTestId('share-files').check();
  await dialog.getByTestId(o.mode === 'view' ? 'share-mode-view' : 'share-mode-control').check();
  await dialog.getByTestId('share-label').fill(o.label);
  if (o.expiry) await dialog.getByTestId('share-expiry-select').selectOption({ label: o.expiry });
  if (o.once) await dialog.getByTestId('share-once').check();
  await dialog.getByTestId('share-create').click();
  await dialog.getByTestId('share-url').waitFor();
  await dialog.getByTestId('share-copy').click();
  await waitFor('copied', async () => (await dialog.getByTestId('share-copy').textContent()) === 'Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, await dialog.getByTestId('share-url').inputValue());
  assert.match(copied, /^https?:\/\/127\.0\.0\.1:\d+\/share#t=[\w-]+\.[\w-]+\.[\w-]+$/);
  return copied;
}

async function closeDialog(): Promise<void> {
  await page.keyboard.press('Escape');
  await page.getByTestId('share-dialog').waitFor({ state: 'detached' });
}

/**
 * The README's picture (written when KUBEDECK_E2E_SHOTS names a folder): the owner's Share… dialog with
 * alice connected, beside alice's page — both windows as they are now, side by side in one PNG.
 */
async function readmeShot(teammatePage: Page): Promise<void> {
  await page.locator('[data-testid=tab]').first().click({ button: 'right' });
  await page.getByTestId('tab-menu').getByTestId('tab-share').click();
  await page.getByTestId('share-dialog').getByTestId('share-viewer').first().waitFor();
  const owner = (await page.screenshot()).toString('base64');
  await closeDialog();
  const mate = (await teammatePage.screenshot()).toString('base64');
  const composer = await e2e.browser.newPage({ viewport: { width: 2420, height: 860 } });
  await composer.setContent(
    `<body style="margin:0;background:#111;display:flex;gap:20px;padding:10px;font:16px system-ui;color:#ccc">` +
      `<figure style="margin:0"><figcaption style="padding:0 0 6px">ann’s Kubedeck: Share… and who is watching</figcaption><img src="data:image/png;base64,${owner}"></figure>` +
      `<figure style="margin:0"><figcaption style="padding:0 0 6px">alice’s browser: the link, view only</figcaption><img src="data:image/png;base64,${mate}"></figure></body>`,
  );
  await composer.screenshot({ path: `${shots}/share.png`, fullPage: true });
  await composer.close();
}

const audit = () => e2e.kubedeck.audit.read();
const waitAudit = (what: string, pred: (e: Awaited<ReturnType<typeof audit>>[number]) => boolean) =>
  waitFor(`audit: ${what}`, async () => (await audit()).find(pred));

describe('share a terminal: owner and teammate in two browser contexts', { timeout: 240_000 }, () => {
  let shell: PodTab;
  let alice: Teammate;
  let aliceUrl: string;
  const people: Teammate[] = [];

  before(async () => {
    e2e = await startE2E({ clusters: 2, serve: { user: 'ann' } });
    page = e2e.page;
    for (const ctx of ['kd-test-1', 'kd-test-2']) await podRow(ctx, 'default', 'shell').waitFor();
    shell = await openPod('kd-test-1', 'default', 'shell');
    await waitState(shell.pane, 'connected');
    await run(shell.pane, 'cd /tmp && echo ready-$((2*3))');
    await waitForPaneText(shell.pane, /^ready-6$/m);
  });

  after(async () => {
    for (const p of people) await p.context.close().catch(() => undefined);
    await endE2E(e2e, 'share-end');
  });

  it('view link: Share… from the tab menu, the token traded once for a strict cookie and gone from the address bar, the banner', async () => {
    aliceUrl = await shareFromMenu(shell.key, { mode: 'view', label: 'alice', expiry: '8 hours' });
    // The dialog lists the new link under this terminal.
    await page.getByTestId('share-dialog').locator('[data-testid=share-link][data-label=alice]').waitFor();
    await closeDialog();

    alice = await teammate();
    people.push(alice);
    await alice.page.goto(domUrl(aliceUrl));
    const banner = alice.page.getByTestId('share-banner');
    await banner.waitFor();
    const text = (await banner.innerText()).replace(/\s+/g, ' ');
    assert.match(text, /Shared by ann/);
    assert.match(text, /view only/);
    assert.match(text, /expires in 7 h 59 min|expires in 8 h/);
    assert.match(text, /as alice/);
    // The fragment is gone from the address bar; the token was never in a URL the browser requested.
    assert.equal(new URL(alice.page.url()).hash, '');
    assert.equal(new URL(alice.page.url()).search, '?renderer=dom');
    const token = tokenOf(aliceUrl);
    assert.equal(alice.requests.filter((r) => r.includes(token)).length, 0, alice.requests.join('\n'));
    assert.equal(alice.requests.filter((r) => r.startsWith('POST ') && r.endsWith('/share/exchange')).length, 1);
    const cookies = await alice.context.cookies();
    const share = cookies.find((c) => c.name === 'kubedeck_share');
    assert.ok(share, 'the share cookie is set');
    assert.equal(share.httpOnly, true);
    assert.equal(share.sameSite, 'Strict');
    assert.equal(await alice.page.evaluate(() => document.cookie), '', 'the page cannot read it');

    // The teammate sees the owner's screen, live.
    const screen = alice.page.getByTestId('shared-terminal');
    await waitForPaneText(screen, /^ready-6$/m);
    await run(shell.pane, 'echo owner-$((40+2))');
    await waitForPaneText(screen, /^owner-42$/m);
    // A reload is not a second exchange: the cookie does.
    await alice.page.reload();
    await waitForPaneText(alice.page.getByTestId('shared-terminal'), /^owner-42$/m);
    assert.equal(alice.requests.filter((r) => r.startsWith('POST ') && r.endsWith('/share/exchange')).length, 1);
    if (shots) await readmeShot(alice.page);
    await waitAudit('share.create by ann', (e) => e.kind === 'share.create' && e.who === 'ann' && e.details.link === 'share:alice' && e.details.mode === 'view');
    await waitAudit('share.join as share:alice', (e) => e.kind === 'share.join' && e.who === 'share:alice');
  });

  it('a view-only observer’s typing never reaches the pod — not from the page, not from a hand-made WebSocket call', async () => {
    const screen = alice.page.getByTestId('shared-terminal');
    assert.equal(await screen.getAttribute('data-readonly'), 'true');
    await screen.locator('.xterm-host').click();
    await alice.page.keyboard.type('touch /tmp/observer-typed');
    await alice.page.keyboard.press('Enter');
    // The page's script bypassed: the server itself refuses input and resize from a view link.
    const answers = await alice.page.evaluate(
      (id) =>
        new Promise<string[]>((resolve) => {
          const ws = new WebSocket(`ws://${location.host}/ws?share=1`);
          const got: string[] = [];
          ws.onmessage = (m) => {
            if (typeof m.data !== 'string') return;
            const msg = JSON.parse(m.data) as { t: string; id?: number; message?: string };
            if (msg.t === 'error') got.push(msg.message ?? '');
            if (got.length === 2) resolve(got);
          };
          ws.onopen = () => {
            ws.send(JSON.stringify({ t: 'call', id: 1, method: 'writeTerminal', args: [id, 'touch /tmp/observer-typed\n'] }));
            ws.send(JSON.stringify({ t: 'call', id: 2, method: 'resizeTerminal', args: [id, 30, 10] }));
          };
        }),
      (await shell.pane.getAttribute('data-session-id'))!,
    );
    assert.deepEqual(answers.map((a) => /view only/.test(a)), [true, true], answers.join('\n'));
    // The owner's next command is the sync point: everything sent before it has been handled.
    await run(shell.pane, 'echo after-observer-$((5*5)); ls /tmp');
    await waitForPaneText(shell.pane, /^after-observer-25$/m);
    await waitForPaneText(alice.page.getByTestId('shared-terminal'), /^after-observer-25$/m);
    const marker = join(e2e.clusters.clusters[0].rootOf('default', 'shell', 'main'), 'tmp', 'observer-typed');
    assert.equal(existsSync(marker), false, 'the observer created nothing in the pod');
    assert.doesNotMatch(await paneText(shell.pane), /touch \/tmp\/observer-typed/);
    await waitAudit('the refusal as share:alice', (e) => e.kind === 'share.refuse' && e.who === 'share:alice' && e.details.method === 'writeTerminal');
  });

  it('the owner’s tab shows who watches (label, mode, since)', async () => {
    const badge = page.locator(`[data-testid=tab][data-tab-key="${shell.key}"]`).getByTestId('tab-viewers');
    // Alice has two connections now: her page's and the hand-made socket above.
    await waitFor('the viewers badge', async () => (await badge.count()) === 1 && Number((await badge.textContent())?.trim()) >= 1);
    assert.match((await badge.getAttribute('title')) ?? '', /alice \(view, since \d{4}-\d\d-\d\d \d\d:\d\d/);
    await page.locator(`[data-testid=tab][data-tab-key="${shell.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-menu').getByTestId('tab-share').click();
    const viewer = page.getByTestId('share-dialog').getByTestId('share-viewer').first();
    await viewer.waitFor();
    assert.match(await viewer.innerText(), /alice is connected \(view\) since \d\d:\d\d:\d\d/);
    if (shots) await page.screenshot({ path: `${shots}/share-owner-dialog.png` });
    if (shots) await alice.page.screenshot({ path: `${shots}/share-teammate-view.png` });
    await closeDialog();
  });

  it('control link, one-time: the teammate types into the pod; the link cannot be used twice', async () => {
    const url = await shareFromMenu(shell.key, { mode: 'control', label: 'bob', once: true });
    await closeDialog();
    const bob = await teammate();
    people.push(bob);
    await bob.page.goto(domUrl(url));
    const banner = bob.page.getByTestId('share-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /you can type/);
    const screen = bob.page.getByTestId('shared-terminal');
    await waitForPaneText(screen, /after-observer-25/);
    await screen.locator('.xterm-host').click();
    await bob.page.keyboard.type('touch /tmp/bob-was-here && echo bob-$((3*3))');
    await bob.page.keyboard.press('Enter');
    await waitForPaneText(shell.pane, /^bob-9$/m);
    assert.equal(existsSync(join(e2e.clusters.clusters[0].rootOf('default', 'shell', 'main'), 'tmp', 'bob-was-here')), true, 'bob’s command ran in the pod');
    await waitAudit('share.join as share:bob (control)', (e) => e.kind === 'share.join' && e.who === 'share:bob' && e.details.mode === 'control');
    // A second browser with the same one-time link is told it was used.
    const eve = await teammate();
    people.push(eve);
    await eve.page.goto(domUrl(url));
    await eve.page.getByTestId('share-problem').waitFor();
    assert.match(await eve.page.getByTestId('share-problem-text').innerText(), /one-time share link has already been used/);
    await waitAudit('share.refuse used', (e) => e.kind === 'share.refuse' && e.who === 'share:bob' && e.details.reason === 'used');
    await eve.context.close();
  });

  it('Remove: the teammate’s connection is closed at once and the page says the link was revoked', async () => {
    await page.locator(`[data-testid=tab][data-tab-key="${shell.key}"]`).click({ button: 'right' });
    await page.getByTestId('tab-menu').getByTestId('tab-share').click();
    const dialog = page.getByTestId('share-dialog');
    const aliceRow = dialog.locator('[data-testid=share-link][data-label=alice]');
    await aliceRow.getByTestId('share-viewer').first().waitFor();
    assert.ok(alice.sockets.some((s) => s.url.includes('/ws?share=1') && !s.closed));
    await aliceRow.getByTestId('share-remove-viewer').first().click();
    // Every share socket of alice's page closes (the server closes them; the page does not reconnect).
    await waitFor('alice’s sockets closed', () => alice.sockets.filter((s) => s.url.includes('/ws?share=1')).every((s) => s.closed), 5000).catch((err: Error) => {
      throw new Error(`${err.message}: ${JSON.stringify(alice.sockets)}`);
    });
    await alice.page.getByTestId('share-problem').waitFor();
    assert.match(await alice.page.getByTestId('share-problem-text').innerText(), /revoked by its owner/);
    await aliceRow.waitFor({ state: 'detached' });
    await waitAudit('share.revoke by ann', (e) => e.kind === 'share.revoke' && e.who === 'ann' && e.details.link === 'share:alice');
    await waitAudit('share.leave of alice', (e) => e.kind === 'share.leave' && e.who === 'share:alice');
    // Bob is still there, and the badge counts him alone.
    const badge = page.locator(`[data-testid=tab][data-tab-key="${shell.key}"]`).getByTestId('tab-viewers');
    await waitFor('one viewer left', async () => (await badge.textContent())?.trim() === '1');
    await closeDialog();
    // Opening the revoked link again: a clear page.
    const again = await teammate();
    people.push(again);
    await again.page.goto(domUrl(aliceUrl));
    await again.page.getByTestId('share-problem').waitFor();
    assert.match(await again.page.getByTestId('share-problem-text').innerText(), /revoked by its owner/);
    if (shots) await again.page.screenshot({ path: `${shots}/share-revoked.png` });
    await again.context.close();
  });

  it('tampered, expired and foreign tokens each get a clear page and an audit line', async () => {
    const good = tokenOf(aliceUrl);
    const [h, p, s] = good.split('.');
    const origin = new URL(aliceUrl).origin;
    const key = loadShareKey(e2e.dataDir);
    const otherDir = mkdtempSync(join(tmpdir(), 'kd-share-foreign-'));
    const foreign = await signShareToken(loadShareKey(otherDir), { jti: 'x', exp: Date.now() + 600_000 });
    rmSync(otherDir, { recursive: true, force: true });
    const linkId = (await e2e.kubedeck.share.list())[0].id;
    const cases: [string, string, RegExp, string][] = [
      ['tampered', `${h}.${p}.${s.slice(0, -4)}${s.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`, /tampered with/, 'tampered'],
      ['expired', await signShareToken(key, { jti: linkId, exp: Date.now() - 1000 }), /has expired/, 'expired'],
      ['foreign', foreign, /for another Kubedeck server/, 'foreign'],
      ['garbage', 'hello', /not a Kubedeck share link/, 'malformed'],
    ];
    const t = await teammate();
    people.push(t);
    for (const [what, token, message, reason] of cases) {
      // Only the fragment differs between the cases: without a page in between, goto would not load the page again.
      await t.page.goto('about:blank');
      await t.page.goto(`${origin}/share?renderer=dom#t=${token}`);
      await t.page.getByTestId('share-problem').waitFor();
      const shown = await t.page.getByTestId('share-problem-text').innerText();
      assert.match(shown, message, what);
      assert.doesNotMatch(shown, /Error:|at \w+ \(/, 'a sentence, not a stack trace');
      await waitAudit(`share.refuse ${reason}`, (e) => e.kind === 'share.refuse' && e.details.reason === reason);
    }
    await t.context.close();
  });

  it('a link to a session that has ended says so', async () => {
    const other = await openPod('kd-test-2', 'default', 'shell');
    await waitState(other.pane, 'connected');
    const url = await shareFromMenu(other.key, { mode: 'view', label: 'dana' });
    await closeDialog();
    const tab = page.locator(`[data-testid=tab][data-tab-key="${other.key}"]`);
    await tab.hover();
    await tab.getByTestId('tab-close').click();
    await tab.waitFor({ state: 'detached' });
    const dana = await teammate();
    people.push(dana);
    await dana.page.goto(domUrl(url));
    await dana.page.getByTestId('share-problem').waitFor();
    assert.match(await dana.page.getByTestId('share-problem-text').innerText(), /terminal session this link shares has ended/);
    await waitAudit('share.refuse ended', (e) => e.kind === 'share.refuse' && e.who === 'share:dana' && e.details.reason === 'ended');
    await dana.context.close();
  });

  it('container link with files: terminals and files of that container only, audited as share:carol', async () => {
    const url = await shareFromMenu(shell.key, { mode: 'control', label: 'carol', container: true, files: true });
    await closeDialog();
    const carol = await teammate();
    people.push(carol);
    await carol.page.goto(domUrl(url));
    const banner = carol.page.getByTestId('share-banner');
    await banner.waitFor();
    assert.match(await banner.innerText(), /kd-test-1 \/ default \/ shell \/ main/);
    const ownerSession = (await shell.pane.getAttribute('data-session-id'))!;
    const screen = carol.page.getByTestId('shared-terminal');
    // The page shows the terminal already open in the container (the owner's) until carol opens her own.
    await waitFor('the owner’s terminal shown first', async () => (await screen.getAttribute('data-session-key')) === `share:${ownerSession}`);
    await carol.page.getByTestId('share-new-terminal').click();
    await waitFor('carol’s own terminal shown', async () => !['', `share:${ownerSession}`].includes((await screen.getAttribute('data-session-key').catch(() => '')) ?? ''));
    assert.equal(await carol.page.getByTestId('share-tab').count(), 2);
    // As a user would: type once the shell's prompt is there.
    await waitForPaneText(screen, /# $/m);
    await screen.locator('.xterm-host').click();
    await carol.page.keyboard.type('echo carol-in-$HOSTNAME-$((6*7))');
    await carol.page.keyboard.press('Enter');
    await waitForPaneText(screen, /^carol-in-shell-42$/m);
    await waitAudit('terminal.open as share:carol', (e) => e.kind === 'terminal.open' && e.who === 'share:carol');

    // Files: the shared container's folders, browsed; a folder made in control mode lands in the pod.
    await carol.page.getByTestId('share-files-tab').click();
    const files = carol.page.getByTestId('shared-files');
    await files.getByTestId('shared-files-path').fill('/');
    await files.getByTestId('shared-files-path').press('Enter');
    await files.locator('[data-testid=shared-file][data-name=tmp]').waitFor();
    await files.locator('[data-testid=shared-file][data-name=tmp] button').click();
    await files.locator('[data-testid=shared-file][data-name=bob-was-here]').waitFor();
    await files.getByTestId('shared-files-newdir').fill('from-carol');
    await files.getByTestId('shared-files-mkdir').click();
    await files.locator('[data-testid=shared-file][data-name=from-carol]').waitFor();
    assert.equal(existsSync(join(e2e.clusters.clusters[0].rootOf('default', 'shell', 'main'), 'tmp', 'from-carol')), true);
    if (shots) await carol.page.screenshot({ path: `${shots}/share-container-files.png` });

    // Anything else, asked for from carol's own page over her share socket: refused by the server.
    const refusals = await carol.page.evaluate(
      (owned) =>
        new Promise<Record<string, string>>((resolve) => {
          const calls: [string, unknown[]][] = [
            ['openTerminal', [{ context: 'kd-test-1', namespace: 'default', pod: 'busybox', container: 'main', cols: 80, rows: 24 }]],
            ['openTerminal', [{ context: 'kd-test-2', namespace: 'default', pod: 'shell', container: 'main', cols: 80, rows: 24 }]],
            ['listDir', [{ kind: 'local' }, '/']],
            ['listDir', [{ kind: 'container', context: 'kd-test-1', namespace: 'default', pod: 'multi', container: 'app' }, '/']],
            ['addKubeconfig', ['/etc/passwd']],
            ['listClusters', []],
            ['listRecordings', []],
            ['readAudit', []],
            ['createShareLink', [{ terminal: owned, mode: 'control', label: 'mallory', ttlSeconds: 600 }]],
          ];
          const got: Record<string, string> = {};
          const ws = new WebSocket(`ws://${location.host}/ws?share=1`);
          ws.onmessage = (m) => {
            if (typeof m.data !== 'string') return;
            const msg = JSON.parse(m.data) as { t: string; id: number; message?: string };
            if (msg.t !== 'error' && msg.t !== 'result') return;
            got[`${msg.id}:${calls[msg.id - 1][0]}`] = msg.t === 'error' ? (msg.message ?? '') : 'ANSWERED';
            if (Object.keys(got).length === calls.length) {
              ws.close();
              resolve(got);
            }
          };
          ws.onopen = () => calls.forEach(([method, args], i) => ws.send(JSON.stringify({ t: 'call', id: i + 1, method, args })));
        }),
      (await shell.pane.getAttribute('data-session-id')) ?? '',
    );
    for (const [call, answer] of Object.entries(refusals)) assert.match(answer, /^share link: /, `${call} is refused (${answer})`);
    await waitAudit('a scope refusal as share:carol', (e) => e.kind === 'share.refuse' && e.who === 'share:carol' && e.details.method === 'addKubeconfig');
    await carol.context.close();
  });

  it('the owner’s pane and page saw none of it as errors', async () => {
    assert.deepEqual(e2e.pageErrors, []);
    assert.equal(await paneOfTab(shell.key).count(), 1);
  });
});

describe('share a terminal over HTTPS (a self-signed pair; both browsers told to accept it)', { timeout: 180_000 }, () => {
  let shell: PodTab;
  const people: Teammate[] = [];

  before(async () => {
    e2e = await startE2E({ clusters: 1, serve: { user: 'ann', tls: makeSelfSigned(['localhost', '127.0.0.1']) } });
    page = e2e.page;
    assert.match(e2e.url, /^https:\/\//);
    await podRow('kd-test-1', 'default', 'shell').waitFor();
    shell = await openPod('kd-test-1', 'default', 'shell');
    await waitState(shell.pane, 'connected');
    await run(shell.pane, 'echo over-tls-$((6*7))');
    await waitForPaneText(shell.pane, /^over-tls-42$/m);
  });

  after(async () => {
    for (const p of people) await p.context.close().catch(() => undefined);
    await endE2E(e2e, 'share-tls-end');
  });

  it('the owner works over wss://; a teammate’s link is https://, its cookie Secure, its socket wss://', async () => {
    const url = await shareFromMenu(shell.key, { mode: 'control', label: 'erin' });
    await closeDialog();
    assert.match(url, /^https:\/\/127\.0\.0\.1:\d+\/share#t=/);
    const erin = await teammate({ https: true });
    people.push(erin);
    await erin.page.goto(domUrl(url));
    await erin.page.getByTestId('share-banner').waitFor();
    const screen = erin.page.getByTestId('shared-terminal');
    await waitForPaneText(screen, /^over-tls-42$/m);
    await screen.locator('.xterm-host').click();
    await erin.page.keyboard.type('echo erin-$((2+3))');
    await erin.page.keyboard.press('Enter');
    await waitForPaneText(shell.pane, /^erin-5$/m);
    const cookie = (await erin.context.cookies()).find((c) => c.name === 'kubedeck_share');
    assert.equal(cookie?.secure, true);
    assert.equal(cookie?.httpOnly, true);
    assert.ok(erin.sockets.length > 0 && erin.sockets.every((s) => s.url.startsWith('wss://')), JSON.stringify(erin.sockets));
    assert.deepEqual(e2e.pageErrors, []);
  });
});
