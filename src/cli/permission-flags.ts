/**
 * The host-permission flags of `cordon run`, taken out of its arguments before the others are parsed
 * (Deno's syntax: a value only after `=`, so `--allow-read app.js` is a bare flag and an entry):
 * `--allow-read[=…]`, `--allow-write`, `--allow-net`, `--allow-run`, `--allow-env`, `--deny-*`,
 * `-A`/`--allow-all`, `--prompt`/`--no-prompt`, and the sandbox's `--max-memory=MB`, `--max-cpu=SECONDS`,
 * `--fs=real|memory`, `--snapshot=FILE`, `--deterministic[=SEED]`.
 */
import type { PermissionFlags, PermissionName } from '../host.js';

export interface RunFlags {
  readonly permissions: PermissionFlags;
  /** `--prompt` / `--no-prompt`; undefined: prompt when stdin and stderr are terminals. */
  readonly prompt: boolean | undefined;
  readonly maxMemoryMb: number | undefined;
  readonly maxCpuSeconds: number | undefined;
  readonly fs: 'real' | 'memory' | undefined;
  readonly snapshot: string | undefined;
  readonly deterministic: string | undefined;
  /** The arguments left for the ordinary parser. */
  readonly rest: string[];
  /** The arguments as given, minus the limits (what a sandboxed guest is started with). */
  readonly withoutLimits: string[];
}

const KINDS: readonly PermissionName[] = ['read', 'write', 'net', 'run', 'env'];

export class FlagError extends Error {}

const positiveNumber = (flag: string, value: string | undefined): number => {
  const number = value === undefined ? Number.NaN : Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new FlagError(`${flag} needs a positive number (${flag}=N)`);
  return number;
};

export const takeRunFlags = (args: readonly string[]): RunFlags => {
  const allow: Partial<Record<PermissionName, (string | true)[]>> = {};
  const deny: Partial<Record<PermissionName, (string | true)[]>> = {};
  let allowAll = false;
  let prompt: boolean | undefined;
  let maxMemoryMb: number | undefined;
  let maxCpuSeconds: number | undefined;
  let fs: 'real' | 'memory' | undefined;
  let snapshot: string | undefined;
  let deterministic: string | undefined;
  const rest: string[] = [];
  const withoutLimits: string[] = [];
  let index = 0;
  for (; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') break;
    const equals = arg.indexOf('=');
    const name = equals < 0 ? arg : arg.slice(0, equals);
    const value = equals < 0 ? undefined : arg.slice(equals + 1);
    const kind = /^--(allow|deny)-(read|write|net|run|env)$/.exec(name);
    if (kind) {
      const table = kind[1] === 'allow' ? allow : deny;
      const permission = kind[2] as PermissionName;
      if (value === '') throw new FlagError(`${name}= needs a value (or write ${name} alone for all)`);
      (table[permission] ??= []).push(value ?? true);
      withoutLimits.push(arg);
      continue;
    }
    if (arg === '-A' || arg === '--allow-all') {
      allowAll = true;
      withoutLimits.push(arg);
      continue;
    }
    if (arg === '--prompt' || arg === '--no-prompt') {
      prompt = arg === '--prompt';
      withoutLimits.push(arg);
      continue;
    }
    if (name === '--max-memory') {
      maxMemoryMb = positiveNumber(name, value);
      continue;
    }
    if (name === '--max-cpu') {
      maxCpuSeconds = positiveNumber(name, value);
      continue;
    }
    if (name === '--fs') {
      if (value !== 'real' && value !== 'memory') throw new FlagError('--fs is --fs=real or --fs=memory');
      fs = value;
      withoutLimits.push(arg);
      continue;
    }
    if (name === '--snapshot') {
      if (!value) throw new FlagError('--snapshot needs a file (--snapshot=state.bin)');
      snapshot = value;
      withoutLimits.push(arg);
      continue;
    }
    if (name === '--deterministic') {
      deterministic = value ?? '0';
      withoutLimits.push(arg);
      continue;
    }
    rest.push(arg);
    withoutLimits.push(arg);
  }
  rest.push(...args.slice(index));
  withoutLimits.push(...args.slice(index));
  for (const permission of KINDS) {
    if (allow[permission]?.includes(true)) allow[permission] = [true];
  }
  return { permissions: { allow, deny, allowAll }, prompt, maxMemoryMb, maxCpuSeconds, fs, snapshot, deterministic, rest, withoutLimits };
};
