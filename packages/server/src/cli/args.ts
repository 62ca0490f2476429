// Argument parsing shared by every command: node:util parseArgs in strict mode, plus the
// setting flags (`--port`, `--data-dir`, ...) that every command accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, SETTINGS, type Config, type SettingFlags, type SettingName } from '../config.js';
import type { Store } from '../store/repositories.js';

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
  const all: Options = { ...SETTING_OPTIONS, ...options };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args, options: all, strict: true, allowPositionals: true, tokens: true });
  } catch (error) {
    // parseArgs explains unknown or malformed options; its first sentence is enough.
    const message = (error as Error).message.split(/\.\s/)[0] ?? 'bad arguments';
    throw new UsageError(`${message}; usage: ${positionals.usage}`);
  }
  // A single-valued option given twice is a mistake, not "the last one wins".
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || all[token.name]?.multiple === true) continue;
    if (seen.has(token.name)) throw new UsageError(`${token.rawName} is given more than once; usage: ${positionals.usage}`);
    seen.add(token.name);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    const extra = parsed.positionals.slice(positionals.max).map((p) => JSON.stringify(p)).join(' ');
    throw new UsageError(`${extra === '' ? 'missing argument' : `unexpected argument ${extra}`}; usage: ${positionals.usage}`);
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

/** All of standard input, as UTF-8. */
export async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('Password (then Enter and Ctrl-D): ');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Opens (and migrates) the store; loaded only once the arguments have been checked. */
export async function openStore(config: Config): Promise<Store> {
  const { createStore } = await import('../store/index.js');
  return createStore(config.database);
}
