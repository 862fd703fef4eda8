/**
 * Argument parsing for every `kubedeck` command, on Node's util.parseArgs. Non-strict parsing plus a
 * check of its tokens, so that each problem becomes a UsageError with a sentence a user can act on
 * (the CLI then exits 2 with the usage text) and an option's value may start with a dash, as kubectl allows.
 */
import { parseArgs } from 'node:util';

/** Bad usage: exit code 2, the reason (if any) and the usage text on stderr. */
export class UsageError extends Error {
  constructor(
    readonly reason: string,
    readonly usage: string,
  ) {
    super(reason ? `${reason}\n${usage}` : usage);
  }
}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export type OptionValues<O extends OptionSpec> = { [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean };

export interface CommandSpec<O extends OptionSpec> {
  options: O;
  usage: string;
  /** Whether positional arguments are taken (they are refused otherwise). */
  positionals: boolean;
  /** How an argument is quoted in a sentence. Default: as typed. */
  quote?: (arg: string) => string;
}

/** Parses a command's arguments; `-h`/`--help` and every mistake throw a UsageError. */
export function parseCommand<O extends OptionSpec>(argv: string[], spec: CommandSpec<O>): { values: OptionValues<O>; positionals: string[] } {
  const quote = spec.quote ?? ((a: string) => a);
  const { tokens } = parseArgs({ args: argv, options: spec.options, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | boolean> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      if (!spec.positionals) throw new UsageError(`unexpected argument ${quote(t.value)}`, spec.usage);
      positionals.push(t.value);
    }
    if (t.kind !== 'option') continue;
    if (t.name === 'help' || t.name === 'h') throw new UsageError('', spec.usage);
    const option = Object.hasOwn(spec.options, t.name) ? spec.options[t.name] : undefined;
    if (!option) throw new UsageError(`unknown option ${quote(t.rawName)}`, spec.usage);
    if (option.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`, spec.usage);
      values[t.name] = true;
    } else {
      if (t.value === undefined || t.value === '') throw new UsageError(`${t.rawName} needs a value`, spec.usage);
      values[t.name] = t.value;
    }
  }
  return { values: values as OptionValues<O>, positionals };
}

/** The command and its arguments of `kubedeck [-h] COMMAND ...`; options before the command are refused. */
export function splitCommand(argv: string[], usage: string): { command: string; rest: string[] } {
  const { tokens } = parseArgs({ args: argv, options: {}, strict: false, allowPositionals: true, tokens: true });
  const first = tokens.find((t) => t.kind === 'positional');
  const end = first?.index ?? argv.length;
  parseCommand(argv.slice(0, end), { options: {}, usage, positionals: false });
  if (!first) throw new UsageError('no command', usage);
  return { command: first.value, rest: argv.slice(end + 1) };
}
