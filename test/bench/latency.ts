/**
 * The latency sections: keystroke echo, time to the first prompt, and keystrokes during a `yes` flood
 * (plus memory per terminal at scale), each through kubectl, the core, the serve socket and end to end.
 */
import { sleep } from '../util/wait.ts';
import type { Ctx } from './context.ts';
import type { CoreClient } from './core.ts';
import type { ScaleResult } from './e2e.ts';
import { kubectlEcho, kubectlFirstPrompt } from './kubectl.ts';
import { attempt, noteOf, onCore, onServe, onWire, pct, samples } from './measure.ts';
import { absolute, vsKubectl, type Row } from './report.ts';
import { measureEcho, measureFirstPrompt, type Where } from './terminalProbe.ts';

const SHELL = ['bash', '-il'];

export async function echoSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const why: string[] = [];
  const kc = await attempt(`kubectl exec -it bash: ${sizes.keys} keystrokes`, why, () => kubectlEcho(ctx.target, sizes.keys, SHELL));
  const coreWhy: string[] = [];
  const core = await onCore(ctx, `Kubedeck core: ${sizes.keys} keystrokes`, coreWhy, (c) => measureEcho(c, ctx.where, sizes.keys));
  const e2eWhy: string[] = [];
  const e2e = await onServe(ctx, `end to end (key into xterm → echo rendered): ${sizes.keys} keystrokes`, e2eWhy, (s) => s.echo(sizes.keys));
  const wireWhy: string[] = [];
  const wire = await onWire(ctx, `serve mode socket from Node (no browser): ${sizes.keys} keystrokes`, wireWhy, (c) => measureEcho(c, ctx.where, sizes.keys));
  const k = `${sizes.keys} keys`;
  const drawn = e2e?.rendered ?? null;
  const arrived = e2e?.arrived ?? null;
  const local = e2e?.local?.rendered ?? null;
  const overAnchor = drawn && local ? pct(drawn, 50)! - pct(local, 50)! : null;
  return [
    vsKubectl(`keystroke echo p50, ${k}: end to end (xterm)`, 'ms', pct(drawn, 50), pct(kc, 50), 'lower', 1, noteOf([...e2eWhy, ...why], 'Kubedeck: keydown in the page → first animation frame after xterm acknowledged the echo; kubectl: key written to its pty → echo read back')),
    vsKubectl(`keystroke echo p99, ${k}: end to end (xterm)`, 'ms', pct(drawn, 99), pct(kc, 99), 'lower', 1, noteOf(e2eWhy)),
    absolute(`keystroke echo p50, ${k}: keydown → echo bytes in the page`, 'ms', pct(arrived, 50), pct(kc, 50), undefined, noteOf(e2eWhy, e2e ? `before xterm parses and draws; of it, keydown → keystroke on the socket p50 ${pct(e2e.sent, 50)!.toFixed(1)} ms, p99 ${pct(e2e.sent, 99)!.toFixed(1)} ms (the page's own share)` : undefined)),
    absolute(`keystroke echo p99, ${k}: keydown → echo bytes in the page`, 'ms', pct(arrived, 99), pct(kc, 99), undefined, noteOf(e2eWhy)),
    absolute(`keystroke echo p50, ${k}: local xterm echo in the same page (anchor)`, 'ms', pct(local, 50), pct(kc, 50), undefined, noteOf(e2eWhy, e2e?.local ? `an xterm.js of the same version and options (${e2e.local.renderer} renderer) beside the app in the same page, echoing each key itself: keydown → first animation frame after its write callback; no socket, server or shell` : undefined)),
    absolute(`keystroke echo p99, ${k}: local xterm echo in the same page (anchor)`, 'ms', pct(local, 99), pct(kc, 99), undefined, noteOf(e2eWhy)),
    absolute(`keystroke echo p50, ${k}: end to end − local anchor`, 'ms', overAnchor, null, { text: '≤ 5 ms', below: 5.0001 }, noteOf(e2eWhy, 'what Kubedeck\'s path adds to the echo above what drawing a key costs in that page anyway')),
    vsKubectl(`keystroke echo p50, ${k}: serve socket, no browser`, 'ms', pct(wire, 50), pct(kc, 50), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(`keystroke echo p99, ${k}: serve socket, no browser`, 'ms', pct(wire, 99), pct(kc, 99), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(`keystroke echo p50, ${k}: Kubedeck core`, 'ms', pct(core, 50), pct(kc, 50), 'lower', 1, noteOf(coreWhy)),
    vsKubectl(`keystroke echo p99, ${k}: Kubedeck core`, 'ms', pct(core, 99), pct(kc, 99), 'lower', 1, noteOf(coreWhy)),
  ];
}

export async function promptSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const n = sizes.prompts;
  const why: string[] = [];
  const kc = await attempt(`kubectl exec -it bash -il: first prompt byte ×${n}`, why, () => samples(n, () => kubectlFirstPrompt(ctx.target, SHELL)));
  const coreWhy: string[] = [];
  const core = await onCore(ctx, `Kubedeck core openTerminal (default shell): first prompt byte ×${n}`, coreWhy, (c) => samples(n, () => measureFirstPrompt(c, ctx.where)));
  const wireWhy: string[] = [];
  const wire = await onWire(ctx, `serve mode socket from Node (no browser): first prompt byte ×${n}`, wireWhy, (c) => samples(n, () => measureFirstPrompt(c, ctx.where)));
  const e2eWhy: string[] = [];
  const e2e = await onServe(ctx, `end to end: open a terminal tab until its prompt shows ×${n}`, e2eWhy, (s) => s.firstPrompt(n));
  return [
    vsKubectl(`time to first prompt p50 of ${n}: Kubedeck core`, 'ms', pct(core, 50), pct(kc, 50), 'lower', 1, noteOf(coreWhy, 'kubectl: process start to first byte; Kubedeck: openTerminal to first byte (shell chosen in the pod)')),
    vsKubectl(`time to first prompt p50 of ${n}: serve socket, no browser`, 'ms', pct(wire, 50), pct(kc, 50), 'lower', 1, noteOf(wireWhy)),
    vsKubectl(`time to first prompt p50 of ${n}: end to end (tab)`, 'ms', pct(e2e?.drawn ?? null, 50), pct(kc, 50), 'lower', 1,
      noteOf([...e2eWhy, ...why], e2e ? `deep link followed → prompt drawn; of it, link → openTerminal sent p50 ${pct(e2e.sent, 50)!.toFixed(0)} ms (tab and xterm set up), link → first byte in the page p50 ${pct(e2e.firstByte, 50)!.toFixed(0)} ms` : undefined)),
  ];
}

export async function scaleSection(ctx: Ctx): Promise<Row[]> {
  const { sizes } = ctx;
  const why: string[] = [];
  const flood = await attempt(`kubectl: ${sizes.floodKeys} keystrokes while another kubectl exec floods with yes`, why, async () => {
    const stop = ctx.startKubectlFlood();
    try {
      await sleep(1000);
      return await kubectlEcho(ctx.target, sizes.floodKeys, SHELL);
    } finally {
      await stop();
    }
  });
  const e2eWhy: string[] = [];
  const res: ScaleResult | null = await onServe(ctx, `end to end: ${sizes.terminals} terminals across 3 clusters, then a flood`, e2eWhy, (s) => s.scale(sizes.terminals, sizes.floodKeys));
  const coreWhy: string[] = [];
  const coreFlood = await onCore(ctx, `Kubedeck core: ${sizes.floodKeys} keystrokes while another terminal floods with yes`, coreWhy, async (core) => {
    const stop = await startCoreFlood(core, ctx.where);
    try {
      return await measureEcho(core, ctx.where, sizes.floodKeys);
    } finally {
      await stop();
    }
  });
  const n = sizes.terminals;
  return [
    absolute(`${n} terminals / 3 clusters: main process memory per terminal`, 'MB', res?.mainPerTerminal ?? null, null, undefined, noteOf(e2eWhy, res?.note)),
    absolute(`${n} terminals / 3 clusters: renderer memory per terminal`, 'MB', res?.rendererPerTerminal ?? null, null, undefined, noteOf(e2eWhy)),
    absolute(`keystroke p99 during a yes flood: end to end (xterm)`, 'ms', pct(res?.floodLatencies ?? null, 99), pct(flood, 99), { below: 50 }, noteOf([...e2eWhy, ...why])),
    absolute(`keystroke p99 during a yes flood: Kubedeck core`, 'ms', pct(coreFlood, 99), pct(flood, 99), { below: 50 }, noteOf(coreWhy)),
  ];
}

/** A second terminal running `yes`, acknowledged as it arrives; returns its stop function. */
async function startCoreFlood(core: CoreClient, where: Where): Promise<() => Promise<void>> {
  const info = await core.openTerminal({ ...where, command: ['yes'], cols: 120, rows: 40 });
  const off = core.onData((id, d) => {
    if (id === info.id) void core.ackTerminal(id, d.length).catch(() => undefined);
  });
  // Let the flood reach full speed before the keystrokes it is meant to slow down.
  await sleep(1000);
  return async () => {
    off();
    await core.closeTerminal(info.id);
  };
}
