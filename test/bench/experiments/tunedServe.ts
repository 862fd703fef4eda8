/**
 * Experiment, not part of the product: `kubedeck serve` with other flow-control watermarks, to see
 * whether they limit the end-to-end throughput. Run the bench against it:
 *
 *   BENCH_SERVE_ENTRY=test/bench/experiments/tunedServe.ts WM_HIGH=1000000 WM_LOW=500000 \
 *     npm run bench -- --quick --only throughput
 *
 * Kubedeck passes no watermarks to its TerminalService, so this sets them on the service's deps
 * before each session opens (TerminalSession reads `deps.highWatermark ?? HIGH_WATERMARK`).
 */
import { TerminalService } from '../../../main/core/terminals/terminalService.ts';
import { runServe } from '../../../main/cli/serveCommand.ts';

const high = Number(process.env.WM_HIGH);
const low = Number(process.env.WM_LOW);
if (!(high > 0 && low >= 0 && low < high)) throw new Error('set WM_HIGH and WM_LOW (bytes, LOW < HIGH)');
const open = TerminalService.prototype.openTerminal;
TerminalService.prototype.openTerminal = function (this: TerminalService, req) {
  const deps = (this as unknown as { deps: { highWatermark?: number; lowWatermark?: number } }).deps;
  deps.highWatermark = high;
  deps.lowWatermark = low;
  return open.call(this, req);
};
console.error(`kubedeck (experiment): flow-control watermarks high ${high} B, low ${low} B`);
// argv: [node, this file, 'serve', ...options]
await runServe(process.argv.slice(3));
