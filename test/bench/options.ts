/** The bench's command line: sections to run, sizes (--quick), where to write results, the renderer. */

export const SECTIONS = ['throughput', 'tabflood', 'echo', 'splitecho', 'reattach', 'prompt', 'copy', 'ssh', 'scale'] as const;
export type Section = (typeof SECTIONS)[number];

export interface Options {
  quick: boolean;
  dom: boolean;
  json?: string;
  markdown?: string;
  only: Set<Section>;
  /** Copy rows: rounds of kubectl and Kubedeck side by side (order swapped each round); the median is reported. */
  repeat: number;
  /** The SSH rows' SFTP file in MiB (default: the size of the run). */
  sftpMiB?: number;
}

export const USAGE = `usage: npm run bench -- [--quick] [--json FILE] [--only ${SECTIONS.join(',')}] [--dom] [--markdown FILE] [--repeat N] [--sftp-mib N]\n  --sftp-mib N: the size of the file the SSH rows get and put with SFTP\n  --repeat N: run each copy N times per tool, side by side, and report the medians\n  --dom: open the app with renderer=dom (xterm's DOM renderer instead of WebGL)`;

/** Parses argv; undefined for --help (the caller prints USAGE). Throws on anything it does not know. */
export function parseBenchArgs(argv: string[]): Options | undefined {
  const o: Options = { quick: false, dom: false, only: new Set(SECTIONS), repeat: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--dom') o.dom = true;
    else if (a === '--json') o.json = argv[++i];
    else if (a.startsWith('--json=')) o.json = a.slice(7);
    else if (a === '--markdown') o.markdown = argv[++i];
    else if (a === '--repeat' || a.startsWith('--repeat=')) {
      const v = a === '--repeat' ? argv[++i] : a.slice(9);
      o.repeat = Number(v);
      if (!Number.isInteger(o.repeat) || o.repeat < 1 || o.repeat > 20) throw new Error(`--repeat: a whole number from 1 to 20, got ${v}`);
    }
    else if (a === '--sftp-mib' || a.startsWith('--sftp-mib=')) {
      const v = a === '--sftp-mib' ? argv[++i] : a.slice(11);
      o.sftpMiB = Number(v);
      if (!Number.isInteger(o.sftpMiB) || o.sftpMiB < 1) throw new Error(`--sftp-mib: a whole number of MiB, got ${v}`);
    }
    else if (a === '--only' || a.startsWith('--only=')) {
      const list = (a === '--only' ? argv[++i] : a.slice(7)) ?? '';
      const picked = list.split(',').filter(Boolean) as Section[];
      for (const p of picked) if (!SECTIONS.includes(p)) throw new Error(`--only: unknown section ${p} (${SECTIONS.join(', ')})`);
      o.only = new Set(picked);
    } else if (a === '--help' || a === '-h') return undefined;
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.json === '') throw new Error('--json needs a file name');
  return o;
}
