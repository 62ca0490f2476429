// Argument parsing shared by every command: node:util parseArgs in strict mode, plus the
// setting flags (`--port`, `--data-dir`, ...) that every command accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, SETTINGS, type Config, type SettingFlags, type SettingName } from '../config.js';

/** Wrong usage: printed as one line, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

type Options = NonNullable<ParseArgsConfig['options']>;

const SETTING_OPTIONS: Options = Object.fromEntries(
  Object.values(SETTINGS).map((setting) => [setting.flag, { type: 'string' as const }]),
);

export interface Parsed {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
  config: Config;
}

/** Parses the arguments after the command words, then loads the settings (flags override env). */
export function parseCommand(args: string[], options: Options, positionals: { min: number; max: number; usage: string }): Parsed {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: { ...SETTING_OPTIONS, ...options }, strict: true, allowPositionals: true });
  } catch (error) {
    // parseArgs explains unknown or malformed options in one sentence.
    throw new UsageError(`${(error as Error).message.split('\n')[0] ?? 'bad arguments'}; usage: ${positionals.usage}`);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    throw new UsageError(`usage: ${positionals.usage}`);
  }
  const flags: SettingFlags = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, (typeof SETTINGS)[SettingName]][]) {
    const value = parsed.values[setting.flag];
    if (typeof value === 'string') flags[name] = value;
  }
  return { values: parsed.values, positionals: parsed.positionals, config: loadConfig(flags) };
}

export function stringOption(parsed: Parsed, name: string): string | undefined {
  const value = parsed.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function listOption(parsed: Parsed, name: string): string[] {
  const value = parsed.values[name];
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).filter((v): v is string => typeof v === 'string');
}

export function flagOption(parsed: Parsed, name: string): boolean {
  return parsed.values[name] === true;
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
