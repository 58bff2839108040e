/**
 * The one command-line parser of the project's commands (`npm start` and every script): the
 * command's own options plus the local runtime's shared flags (--port, --dynamodb-port, ...,
 * see settings.ts), `--help`, and one way to report a wrong command line (message, usage, exit 2).
 */
import { parseArgs } from 'node:util';
import { EngineFileError } from './engine-file.ts';
import { LOCAL_OPTIONS, localFlagsHelp, resolveLocalSettings, SettingsError, type LocalOptionValues, type ToolSettings } from './settings.ts';

type OptionSpec = { type: 'string' | 'boolean'; short?: string };

export interface CommandSpec<O extends Record<string, OptionSpec>> {
  /** e.g. `npm run import -- <accounts.csv> <contacts.csv> [options]` */
  usage: string;
  /** What the command does, one or two lines for --help. */
  summary: string;
  options: O;
  /** One help line per option of the command, e.g. `encoding: 'utf-8, shift_jis, utf-16le, ...'`. */
  optionHelp: { [K in keyof O]: string };
  /** Whether the command talks to the local runtime (takes --port, --dynamodb-port, ...). Default true. */
  localSettings?: boolean;
}

type OptionValues<O extends Record<string, OptionSpec>> = { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };

export interface ParsedCommandLine<O extends Record<string, OptionSpec>> {
  values: OptionValues<O> & LocalOptionValues;
  positionals: string[];
  /** Flag > environment > the running engine's file > default. */
  settings: ToolSettings;
}

/** A wrong command line; the message says what and ends with the usage. */
export class CommandLineError extends Error {}

/** `--help` was given: print this and exit 0. */
export class HelpRequested extends Error {}

export function parseCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, argv: string[], env: NodeJS.ProcessEnv, projectRoot: string): ParsedCommandLine<O> {
  const withLocal = spec.localSettings ?? true;
  const options = { ...(withLocal ? LOCAL_OPTIONS : {}), ...spec.options, help: { type: 'boolean', short: 'h' } } as Record<string, OptionSpec>;
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true }) as typeof parsed;
  } catch (error) {
    throw new CommandLineError(`${(error as Error).message}\nusage: ${spec.usage} (--help for the options)`);
  }
  if (parsed.values.help === true) throw new HelpRequested(helpText(spec));
  let settings: ToolSettings;
  try {
    settings = resolveLocalSettings(parsed.values as LocalOptionValues, env, projectRoot, { followEngine: withLocal });
  } catch (error) {
    if (error instanceof SettingsError || error instanceof EngineFileError) throw new CommandLineError(error.message);
    throw error;
  }
  return { values: parsed.values as ParsedCommandLine<O>['values'], positionals: parsed.positionals, settings };
}

/**
 * parseCommandLine for a script's top level: prints --help and exits 0, prints a wrong
 * command line's message and exits 2.
 */
export function readCommandLine<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>, projectRoot: string, argv = process.argv.slice(2), env = process.env): ParsedCommandLine<O> {
  try {
    return parseCommandLine(spec, argv, env, projectRoot);
  } catch (error) {
    if (error instanceof HelpRequested) {
      console.log(error.message);
      process.exit(0);
    }
    if (error instanceof CommandLineError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

export function helpText<O extends Record<string, OptionSpec>>(spec: CommandSpec<O>): string {
  const own = Object.entries(spec.options).map(([name, option]) => `  --${`${name}${option.type === 'string' ? ' <value>' : ''}`.padEnd(22)} ${spec.optionHelp[name as keyof O]}`);
  return [
    `usage: ${spec.usage}`,
    '',
    spec.summary,
    ...(own.length > 0 ? ['', 'options:', ...own] : []),
    ...((spec.localSettings ?? true)
      ? ['', 'local runtime (a flag wins over its environment variable; without either, the engine that `npm start` runs from the data folder, found through its engine.json):', ...localFlagsHelp()]
      : []),
    `  --${'help'.padEnd(22)} this text`,
  ].join('\n');
}

/** A command used wrongly (a bad argument, an unknown id): its message is printed as it is, exit code 2. */
export class UsageError extends Error {}

/** The help line of `--aws-table`, the same for every command that can work on a deployed stage. */
export const AWS_TABLE_HELP = "a deployed stage's table (its TableName output), with AWS credentials and region from the environment";

/** Runs a command's `main`: a UsageError exits 2 with its message, any other error 1 with its message. */
export function runCommand(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = error instanceof UsageError ? 2 : 1;
  });
}
