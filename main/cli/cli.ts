// `kubedeck <command>`: serve (the UI for a browser) and cp (kubectl cp done right).
// One branch per command, each in its own module. Exit codes: 0 done, 1 failed, 2 bad usage.
import { splitCommand, UsageError } from './args.ts';

const USAGE = 'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T] | kubedeck cp SRC DST';

async function main(argv: string[]): Promise<void> {
  let command = '';
  try {
    const split = splitCommand(argv, USAGE);
    command = split.command;
    switch (command) {
      case 'serve':
        // Each command's module is loaded when it runs (its own chunk in the bundle): `cp` starts without serve's code.
        return await (await import('./serveCommand.ts')).runServe(split.rest);
      case 'cp':
        process.exitCode = await (await import('./cp.ts')).runCp(split.rest);
        return;
      default:
        throw new UsageError(`unknown command ${command}`, USAGE);
    }
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    const who = command === 'serve' ? 'kubedeck serve' : 'kubedeck';
    console.error(err.reason ? `${who}: ${err.message}` : err.message);
    process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`kubedeck: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
