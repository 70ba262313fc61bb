/** Argument parsing and input reading shared by the CLI's commands. */
import { readFile, stat } from 'node:fs/promises';
import { TrackerError } from '../../src/core/errors.js';

export interface CommandArgs {
  positional: string[];
  /** Options with a value, by their name in `valueOptions` (the last one given). */
  options: Record<string, string>;
  /** Every value of each option, in order: for options that may be repeated. */
  repeated: Record<string, string[]>;
  /** Options without a value that were given, by their name in `flagOptions`. */
  flags: Set<string>;
}

/**
 * Parses `argv` against the command's options (`'--uv': 'uv'`: the flag and its name); undefined
 * when help was asked for. Unknown options and missing values are `invalid-input` errors with the usage.
 */
export function parseCommandArgs(argv: string[], usage: string, valueOptions: Record<string, string>, flagOptions: Record<string, string> = {}): CommandArgs | undefined {
  const args: CommandArgs = { positional: [], options: {}, repeated: {}, flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-h' || arg === '--help') return undefined;
    const option = valueOptions[arg], flag = flagOptions[arg];
    if (option) {
      const value = argv[++i];
      if (value === undefined) throw usageError(`${arg} needs a value.`, usage);
      args.options[option] = value;
      (args.repeated[option] ??= []).push(value);
    } else if (flag) {
      args.flags.add(flag);
    } else if (arg.startsWith('-')) {
      throw usageError(`Unknown option ${arg}.`, usage);
    } else {
      args.positional.push(arg);
    }
  }
  return args;
}

/** A file's bytes; a missing or unreadable file is an `invalid-input` error naming what it was for. */
export async function readInput(path: string, what: string, usage: string): Promise<Uint8Array> {
  try {
    if (!(await stat(path)).isFile()) throw usageError(`The ${what} ${path} is not a file.`, usage);
    return new Uint8Array(await readFile(path));
  } catch (error) {
    if (error instanceof TrackerError) throw error;
    throw new TrackerError('invalid-input', `Cannot read the ${what} ${path}: ${(error as Error).message}`, { path });
  }
}

export function usageError(message: string, usage: string): TrackerError {
  return new TrackerError('invalid-input', `${message}\n${usage}`);
}
