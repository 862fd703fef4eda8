// `kubedeck <command>`: serve (the UI for a browser) and cp (kubectl cp done right).
// One branch per command, each in its own module.
import { runServe } from '../serve/serveCommand.ts';
import { runCp } from './cp.ts';

const USAGE = 'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T] | kubedeck cp SRC DST';

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'serve':
      return runServe(rest);
    case 'cp':
      process.exitCode = await runCp(rest);
      return;
    default:
      console.error(`kubedeck: ${command ? `unknown command ${command}` : 'no command'}\n${USAGE}`);
      process.exit(2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  console.error(`kubedeck: ${(err as Error)?.message ?? String(err)}`);
  process.exit(1);
});
