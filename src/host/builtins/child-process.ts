/**
 * A package's own `child_process`. Every form (`spawn`, `spawnSync`, `exec`, `execSync`, `execFile`,
 * `execFileSync`, `fork`, `new ChildProcess().spawn`) asks `run` for the program that would run:
 *
 * - The program is resolved to an absolute path (`resolveProgram`, symlinks resolved) the way the child
 *   would find it: against the child's `cwd` and the `PATH` of the environment the child will get (its
 *   filtered `env`; without a `PATH` there, the system's default `/usr/bin:/bin`), so
 *   `env: { PATH: '/tmp/evil' }` cannot swap the binary behind an allowed name. That absolute path is what
 *   is spawned (`argv[0]` stays the name the package gave, except under async `execFile`/`exec`, where
 *   Node has no `argv0`), so nothing is looked up again after the check. `--allow-run=curl` is resolved the
 *   same way (on the host's PATH) when the flags are parsed. A name found on no PATH stays a name.
 * - No shell escapes: `exec`/`execSync`, and any form with `shell: true` or a shell path, run the shell
 *   (`/bin/sh`, or the one given), so they need `run` for the shell, whatever the command line says:
 *   `--allow-run=echo` does not allow `exec('echo hi; cat /etc/passwd')`. Allowing a shell (or any
 *   launcher: `env`, `xargs`, `sudo`, `npx` …) allows whatever it goes on to run.
 * - `fork()`, and spawning `process.execPath` or any `node`, run Node itself: a plain Node child has
 *   every power (no compartments, no bridge), so it needs `--allow-run` for node's own path, and granting
 *   it hands the child the host's full authority. `execArgv`, `--eval` or `NODE_OPTIONS` change nothing:
 *   the program is node either way (`fork` checks `options.execPath`, default `process.execPath`).
 * - The child's environment holds only the keys the package may read (`--allow-env`), whether the package
 *   passes `env` (keys it may not read are dropped) or inherits the host's.
 * - A denial throws `ERR_ACCESS_DENIED` synchronously from every form, async ones included (no
 *   `'error'` event, no callback), as Node's own permission model does.
 *
 * Options are read once (a copy), so a getter cannot answer the check one way and the spawn another.
 * Returned children are per-package facades (`child-process-facade.ts`): the host's `ChildProcess`
 * (whose `prototype.spawn` takes any file) and the `Process` binding behind `_handle` stay out of reach.
 */
import path from 'node:path';
// The global, not `import 'node:process'`: its ES module facade reads every getter, opening stdin.
const { process } = globalThis;
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type * as HostChildProcessModule from 'node:child_process';
import type { PackageAccess } from '../permissions.js';
import { resolveProgram } from '../resources.js';
import type { BridgeContext } from './types.js';
import { makeChildProcessClass } from './child-process-facade.js';

// Captured when Cordon loads, before any package runs: a package that replaces members of the shared
// `path` or `url` module (they are handed over as they are) cannot change what these checks compute.
const { resolve: resolveFrom, isAbsolute } = path;
const toPath = fileURLToPath;
const utf8 = new TextDecoder();

type Options = Record<string, unknown>;
type Env = Record<string, string | undefined>;
type HostChild = HostChildProcessModule.ChildProcess;
type Callback = (error: Error | null, stdout: unknown, stderr: unknown) => void;

/** What execvp (libuv) searches when the child's environment has no `PATH`. */
export const DEFAULT_CHILD_PATH = '/usr/bin:/bin';

const invalidArgument = (name: string, expected: string, value: unknown): TypeError => {
  const error = new TypeError(`The "${name}" argument must be ${expected}. Received ${value === null ? 'null' : typeof value}`) as TypeError & { code?: string };
  error.code = 'ERR_INVALID_ARG_TYPE';
  return error;
};

const requireString = (name: string, value: unknown): string => {
  if (typeof value !== 'string') throw invalidArgument(name, 'of type string', value);
  return value;
};

/** The caller's options, each member read once (own and inherited enumerable ones, as Node reads them). */
const copyOptions = (options: unknown): Options => {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object') throw invalidArgument('options', 'of type object', options);
  const copy: Options = {};
  for (const key in options) copy[key] = (options as Options)[key];
  return copy;
};

const copyArgs = (args: unknown): unknown[] => {
  if (!Array.isArray(args)) throw invalidArgument('args', 'an instance of Array', args);
  return Array.from(args as unknown[]);
};

/** `(file, args?, options?)` as spawn, spawnSync, execFileSync and fork take them. */
const fileArgsOptions = (file: unknown, args: unknown, options: unknown): [string, unknown[], Options] => {
  if (args === undefined || args === null) return [requireString('file', file), [], copyOptions(options)];
  if (Array.isArray(args)) return [requireString('file', file), copyArgs(args), copyOptions(options)];
  if (typeof args === 'object') return [requireString('file', file), [], copyOptions(args)];
  throw invalidArgument('args', 'an instance of Array', args);
};

/** `(file, args?, options?, callback?)` as execFile takes them: each optional, in that order. */
const execFileArguments = (file: unknown, rest: unknown[]): [string, unknown[], Options, Callback | undefined] => {
  let args: unknown[] = [];
  let options: Options = {};
  let callback: Callback | undefined;
  let position = 0;
  if (Array.isArray(rest[position])) args = copyArgs(rest[position++]);
  else if (rest[position] === undefined || rest[position] === null) position++;
  if (typeof rest[position] === 'object' || rest[position] === undefined) options = copyOptions(rest[position++]);
  if (typeof rest[position] === 'function') callback = rest[position] as Callback;
  else if (rest[position] !== undefined && rest[position] !== null) throw invalidArgument('callback', 'of type function', rest[position]);
  return [requireString('file', file), args, options, callback];
};

const shellName = (): string => (process.platform === 'win32' ? process.env.ComSpec ?? 'cmd.exe' : '/bin/sh');

const asPath = (value: unknown, base: string): string => {
  if (value instanceof URL) return toPath(value);
  if (typeof value === 'string' && value.startsWith('file:')) return toPath(value);
  if (value instanceof Uint8Array) return resolveFrom(base, utf8.decode(value));
  return resolveFrom(base, requireString('options.cwd', value));
};

/** Package `access`'s own `child_process`, built on the host's `real` one. */
export const makeGuestChildProcess = (access: PackageAccess, real: typeof HostChildProcessModule, context: BridgeContext): Record<string, unknown> => {
  const hostSpawn = real.spawn;
  const hostSpawnSync = real.spawnSync;
  const hostExec = real.exec;
  const hostExecSync = real.execSync;
  const hostExecFile = real.execFile;
  const hostExecFileSync = real.execFileSync;
  const hostFork = real.fork;
  const HostChildProcess = real.ChildProcess;

  /**
   * Checks the program `file` would run under `options` (copied, changed in place: the filtered `env`,
   * an absolute `cwd`, the resolved shell, `argv0`) and returns the file to hand to the host.
   */
  const checkProgram = (form: string, file: string, args: readonly unknown[], options: Options, shell: unknown, keepArgv0: boolean): string => {
    const env = context.childEnv(access, (options.env ?? undefined) as Env | undefined);
    options.env = env;
    const cwd = options.cwd === undefined || options.cwd === null ? context.cwd() : asPath(options.cwd, context.cwd());
    if (options.cwd !== undefined && options.cwd !== null) options.cwd = cwd;
    const searchPath = env.PATH ?? DEFAULT_CHILD_PATH;
    const commandLine = [file, ...args].join(' ');
    if (shell) {
      const name = typeof shell === 'string' ? shell : shellName();
      const program = resolveProgram(name, cwd, searchPath);
      access.check('run', program, `child_process.${form}(${JSON.stringify(commandLine)}) runs the shell ${name}`);
      options.shell = isAbsolute(program) ? program : name;
      if (keepArgv0 && options.argv0 === undefined) options.argv0 = name;
      return file;
    }
    const program = resolveProgram(file, cwd, searchPath);
    access.check('run', program, `child_process.${form}(${JSON.stringify(commandLine)})`);
    if (keepArgv0 && options.argv0 === undefined) options.argv0 = file;
    return isAbsolute(program) ? program : file;
  };

  /** The low-level `ChildProcess.prototype.spawn(options)`: `file`, `args`, `envPairs`, `cwd`. */
  const spawnChecked = (given: unknown): { child: HostChild; result: unknown } => {
    const options = copyOptions(given);
    const file = requireString('options.file', options.file);
    const pairs: Env = {};
    if (Array.isArray(options.envPairs)) {
      for (const pair of options.envPairs as unknown[]) {
        const text = String(pair);
        const equals = text.indexOf('=');
        if (equals > 0) pairs[text.slice(0, equals)] = text.slice(equals + 1);
      }
    }
    const env = context.childEnv(access, options.envPairs === undefined ? undefined : pairs);
    options.envPairs = Object.entries(env).map(([key, value]) => `${key}=${value}`);
    const cwd = options.cwd === undefined || options.cwd === null ? context.cwd() : asPath(options.cwd, context.cwd());
    if (options.cwd !== undefined && options.cwd !== null) options.cwd = cwd;
    const program = resolveProgram(file, cwd, env.PATH ?? DEFAULT_CHILD_PATH);
    access.check('run', program, `new ChildProcess().spawn({ file: ${JSON.stringify(file)} })`);
    if (isAbsolute(program)) options.file = program;
    if (Array.isArray(options.args)) options.args = Array.from(options.args as unknown[]);
    const child = new HostChildProcess();
    const result = (Reflect.get(child, 'spawn') as (options: unknown) => unknown).call(child, options);
    return { child, result };
  };

  const { ChildProcess, wrap } = makeChildProcessClass(spawnChecked, HostChildProcess.prototype);

  const spawn = function spawn(file: unknown, args?: unknown, options?: unknown) {
    const [command, list, copy] = fileArgsOptions(file, args, options);
    const program = checkProgram('spawn', command, list, copy, copy.shell, true);
    return wrap(Reflect.apply(hostSpawn, real, [program, list, copy]) as HostChild);
  };

  const spawnSync = function spawnSync(file: unknown, args?: unknown, options?: unknown) {
    const [command, list, copy] = fileArgsOptions(file, args, options);
    const program = checkProgram('spawnSync', command, list, copy, copy.shell, true);
    return Reflect.apply(hostSpawnSync, real, [program, list, copy]);
  };

  const execFile = function execFile(file: unknown, ...rest: unknown[]) {
    const [command, list, copy, callback] = execFileArguments(file, rest);
    const program = checkProgram('execFile', command, list, copy, copy.shell, false);
    return wrap(Reflect.apply(hostExecFile, real, callback === undefined ? [program, list, copy] : [program, list, copy, callback]) as HostChild);
  };

  const execFileSync = function execFileSync(file: unknown, args?: unknown, options?: unknown) {
    const [command, list, copy] = fileArgsOptions(file, args, options);
    const program = checkProgram('execFileSync', command, list, copy, copy.shell, true);
    return Reflect.apply(hostExecFileSync, real, [program, list, copy]);
  };

  /** `exec` and `execSync` always run a shell: the one in `options.shell`, else `/bin/sh`. */
  const execShell = (form: string, command: unknown, options: unknown): [string, Options] => {
    const line = requireString('command', command);
    const copy = copyOptions(typeof options === 'function' ? undefined : options);
    checkProgram(form, line, [], copy, typeof copy.shell === 'string' ? copy.shell : true, true);
    return [line, copy];
  };

  const exec = function exec(command: unknown, options?: unknown, callback?: unknown) {
    const done = typeof options === 'function' ? options : callback;
    const [line, copy] = execShell('exec', command, options);
    return wrap(Reflect.apply(hostExec, real, typeof done === 'function' ? [line, copy, done] : [line, copy]) as HostChild);
  };

  const execSync = function execSync(command: unknown, options?: unknown) {
    const [line, copy] = execShell('execSync', command, options);
    return Reflect.apply(hostExecSync, real, [line, copy]);
  };

  const fork = function fork(modulePath: unknown, args?: unknown, options?: unknown) {
    if (typeof modulePath !== 'string' && !(modulePath instanceof URL)) throw invalidArgument('modulePath', 'of type string or an instance of URL', modulePath);
    const [, list, copy] = fileArgsOptions('', args, options);
    const node = copy.execPath === undefined || copy.execPath === null || copy.execPath === '' ? process.execPath : requireString('options.execPath', copy.execPath);
    const moduleText = modulePath instanceof URL ? modulePath.href : modulePath;
    const program = checkProgram('fork', node, [moduleText, ...list], copy, copy.shell, true);
    if (!copy.shell) copy.execPath = program;
    return wrap(Reflect.apply(hostFork, real, [modulePath, list, copy]) as HostChild);
  };

  // util.promisify(exec) / (execFile): the host's own custom forms would call the host's functions.
  const promisified = (run: (...args: unknown[]) => unknown) =>
    (...args: unknown[]) => {
      let child: unknown;
      const promise = new Promise((resolve, reject) => {
        child = run(...args, (error: (Error & { stdout?: unknown; stderr?: unknown }) | null, stdout: unknown, stderr: unknown) => {
          if (error) {
            error.stdout = stdout;
            error.stderr = stderr;
            reject(error);
          } else resolve({ stdout, stderr });
        });
      }) as Promise<unknown> & { child?: unknown };
      promise.child = child;
      return promise;
    };
  Object.defineProperty(exec, promisify.custom, { value: promisified(exec as (...args: unknown[]) => unknown), configurable: true });
  Object.defineProperty(execFile, promisify.custom, { value: promisified(execFile as (...args: unknown[]) => unknown), configurable: true });

  const hostForkChild = (real as unknown as { _forkChild?: (...args: unknown[]) => unknown })._forkChild;
  const guest: Record<string, unknown> = { ChildProcess, spawn, spawnSync, exec, execSync, execFile, execFileSync, fork };
  if (typeof hostForkChild === 'function') {
    // The child side of an IPC channel on an inherited descriptor: host plumbing, gated whole.
    guest._forkChild = (...args: unknown[]) => {
      access.check('run', undefined, 'child_process._forkChild');
      return Reflect.apply(hostForkChild, real, args);
    };
  }
  return guest;
};
