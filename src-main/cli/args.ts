/** A small, strict argument parser: unknown flags are errors, not silently ignored. */
export interface ParsedArgs {
  command: string | null;
  positionals: string[];
  flags: Map<string, string | true>;
}

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function parseArgs(argv: string[]): ParsedArgs {
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      if (eq > 0) flags.set(a.slice(2, eq), a.slice(eq + 1));
      else {
        const next = argv[i + 1];
        if (next !== undefined && !next.startsWith('--')) {
          flags.set(a.slice(2), next);
          i++;
        } else flags.set(a.slice(2), true);
      }
    } else positionals.push(a);
  }
  return { command: positionals.shift() ?? null, positionals, flags };
}

export function checkFlags(args: ParsedArgs, known: { boolean?: string[]; value?: string[] }) {
  for (const [name, value] of args.flags) {
    if (known.boolean?.includes(name)) {
      if (value !== true) throw new UsageError(`--${name} takes no value`);
    } else if (known.value?.includes(name)) {
      if (value === true) throw new UsageError(`--${name} needs a value`);
    } else throw new UsageError(`unknown option --${name}`);
  }
}

export function intFlag(args: ParsedArgs, name: string, min: number, max: number): number | undefined {
  const v = args.flags.get(name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max}, got ${String(v)}`);
  }
  return n;
}
