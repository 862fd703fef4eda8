/** The machine a run was measured on, for the README table: numbers mean little without it. */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus, loadavg, release, totalmem } from 'node:os';

/** Cores, CPU model, memory, load when the run ended, and the versions of the tools compared. */
export function machine(): string {
  const model = cpus()[0]?.model?.trim() || 'unknown CPU';
  return `Machine: ${availableParallelism()} CPU cores (${model}), ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}; load average ${loadavg().map((l) => l.toFixed(1)).join(' / ')} at the end of the run; Node ${process.version}, kubectl ${kubectlVersion()}, Chromium ${chromiumVersion()}.`;
}

function kubectlVersion(): string {
  try {
    return (JSON.parse(execFileSync('kubectl', ['version', '--client', '-o', 'json'], { encoding: 'utf8' })) as { clientVersion: { gitVersion: string } }).clientVersion.gitVersion;
  } catch {
    return 'unknown';
  }
}

function chromiumVersion(): string {
  try {
    return execFileSync('chromium', ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).match(/\d+(\.\d+)+/)?.[0] ?? 'unknown';
  } catch {
    return 'unknown';
  }
}
