/**
 * How the `cordon` command starts (`main.ts`): its code from one file, compiled from a V8 code cache.
 *
 * Loading Cordon as some 280 ES modules (its own ~220, ses's ~60) cost more than everything else
 * `cordon run` does before a small app's first line (docs/ARCHITECTURE.md, "Start-up"): resolving,
 * reading and compiling each module. `npm run build` bundles `cli.js` with all it reaches into
 * `cordon-cli.cjs` (`scripts/build-cli-bundle.mjs`); this file runs that bundle as a `vm.Script` with
 * the code cache V8 made of it after an earlier run (`createCachedData` once the command has started
 * the app, so the cache holds every function start-up compiled). V8 refuses a cache made by another
 * V8, other flags or other source (`cachedDataRejected`), and the file's name holds the bundle's
 * SHA-256, the Node version and the flags: a refused or missing cache is written again, atomically,
 * after the run starts; nothing here is ever an error (the command is compiled from source instead).
 *
 * The code cache lives in the user's cache folder (`$XDG_CACHE_HOME/cordon/v8`, else
 * `~/.cache/cordon/v8`), not in the app's `node_modules/.cache`: V8 trusts the bytes of a code cache,
 * and an app's own folder is one its packages may be granted to write, so a cache there would let a
 * confined package plant code that runs unconfined in the next `cordon run`. `--no-cache` (before
 * `--`) reads and writes none.
 *
 * The bundle is used only while it is current (`isCurrent`): every file of Cordon's it was built from
 * has the recorded size and is not newer than the bundle, and each of Cordon's dependencies has the
 * recorded version. Otherwise (a `tsc` run since the build, another ses installed), or with
 * `CORDON_CLI_BUNDLE=0`, `main.ts` imports `cli.js` as modules.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import vm from 'node:vm';
import module from 'node:module';
import { fileURLToPath } from 'node:url';

/** The CLI: one command line → its exit code. */
export type CliMain = (argv: readonly string[]) => Promise<number>;

export interface LoadedCli {
  readonly main: CliMain;
  /** After the command has started (or at exit, whichever comes first): writes the code cache when there was none to use. */
  readonly started: () => void;
}

interface Manifest {
  readonly format: string;
  readonly bundle: string;
  readonly bytes: number;
  readonly sha256: string;
  readonly files: readonly (readonly [string, number])[];
  readonly packages: Readonly<Record<string, string>>;
}

const FORMAT = 'cordon-cli-bundle-1';
const cliDir = path.dirname(fileURLToPath(import.meta.url));
const packageRoot = path.resolve(cliDir, '..', '..');

const readManifest = (): Manifest | undefined => {
  try {
    const manifest = JSON.parse(fs.readFileSync(path.join(cliDir, 'cordon-cli.json'), 'utf8')) as Manifest;
    return manifest.format === FORMAT && typeof manifest.sha256 === 'string' && Array.isArray(manifest.files) ? manifest : undefined;
  } catch {
    return undefined;
  }
};

const versionAt = (file: string): string | undefined => {
  try {
    return String((JSON.parse(fs.readFileSync(file, 'utf8')) as { version?: unknown }).version);
  } catch {
    return undefined;
  }
};

/** A bundled package's version where Node would find it now: at the recorded place, else as Node looks from Cordon's folder up. */
const installedVersion = (dir: string): string | undefined => {
  const recorded = versionAt(`${packageRoot}/${dir}/package.json`);
  if (recorded !== undefined) return recorded;
  const name = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(dir)?.[1];
  if (name === undefined) return undefined;
  for (let up = packageRoot; ; up = path.dirname(up)) {
    const found = versionAt(path.join(up, 'node_modules', name, 'package.json'));
    if (found !== undefined || path.dirname(up) === up) return found;
  }
};

/** Whether the bundle holds what the modules would give: same files (size, not newer), same package versions. */
const isCurrent = (manifest: Manifest, bundleFile: string): boolean => {
  let built: fs.Stats;
  try {
    built = fs.statSync(bundleFile);
  } catch {
    return false;
  }
  if (built.size !== manifest.bytes) return false;
  // About 200 files: joined by hand (path.join costs more than the stat).
  for (const [file, size] of manifest.files) {
    const stat = fs.statSync(`${packageRoot}/${file}`, { throwIfNoEntry: false });
    if (stat === undefined || stat.size !== size || stat.mtimeMs > built.mtimeMs) return false;
  }
  for (const [dir, version] of Object.entries(manifest.packages)) {
    if (installedVersion(dir) !== version) return false;
  }
  return true;
};

/** The code cache's folder, or undefined with `--no-cache` (Cordon's own flag: before any `--`). */
const codeCacheDir = (argv: readonly string[]): string | undefined => {
  const own = argv.indexOf('--') === -1 ? argv : argv.slice(0, argv.indexOf('--'));
  if (own.includes('--no-cache')) return undefined;
  const home = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(home, 'cordon', 'v8');
};

/**
 * Node's own compile cache (Node 22.1 and later), in the same folder: for what is loaded as modules
 * (`cli.js` and its modules when there is no current bundle; the modules the bundle leaves out, such as
 * amaro). It only affects this process (not the app's children).
 */
export const enableNodeCompileCache = (argv: readonly string[]): void => {
  const dir = codeCacheDir(argv);
  const enable = (module as { enableCompileCache?: (directory: string) => unknown }).enableCompileCache;
  if (dir !== undefined && typeof enable === 'function') enable(path.join(path.dirname(dir), 'node'));
};

/** A short hash of a string (FNV-1a), for the cache file's name. */
const shortHash = (text: string): string => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
};

/** Writes the cache file atomically and removes the caches of other builds (their names' SHA-256 differs). */
const writeCodeCache = (file: string, keep: string, bytes: Uint8Array): void => {
  const dir = path.dirname(file);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, bytes, { mode: 0o600 });
    fs.renameSync(temporary, file);
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith('cli-') && name.endsWith('.bin') && !name.startsWith(keep)) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    // Best effort (a read-only home, a full disk): the next run compiles from source again.
    fs.rmSync(temporary, { force: true });
  }
};

/** The bundled CLI, or undefined when there is no current bundle (then `main.ts` imports `cli.js`). */
export const loadBundledCli = (argv: readonly string[]): LoadedCli | undefined => {
  if (process.env.CORDON_CLI_BUNDLE === '0') return undefined;
  const manifest = readManifest();
  if (manifest === undefined) return undefined;
  const bundleFile = path.join(cliDir, manifest.bundle);
  if (!isCurrent(manifest, bundleFile)) return undefined;
  let source: string;
  try {
    // ASCII (the build escapes everything else), so latin1 reads it exactly, and faster than UTF-8.
    source = fs.readFileSync(bundleFile, 'latin1');
  } catch {
    return undefined;
  }
  const dir = codeCacheDir(argv);
  const build = `cli-${manifest.sha256.slice(0, 16)}-`;
  const cacheFile = dir === undefined ? undefined : path.join(dir, `${build}${process.version}-${process.arch}-${shortHash(process.execArgv.join('\0'))}.bin`);
  let cachedData: Buffer | undefined;
  if (cacheFile !== undefined) {
    try {
      cachedData = fs.readFileSync(cacheFile);
    } catch {
      // none yet
    }
  }
  // CommonJS's wrapper, as Node's loader gives it, and the bundle's import() of the modules it leaves
  // out (the lockdown bundles' JSON, amaro): this module's own, from the bundle's folder, so specifiers
  // mean what they mean there (a script's own import() would need vm's experimental loader hook).
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname, __cordonImport) {${source}\n})`, {
    filename: bundleFile,
    ...(cachedData === undefined ? {} : { cachedData }),
  });
  const bundled = { exports: {} as { main?: CliMain } };
  const importFromBundle = (specifier: string): Promise<unknown> => import(specifier);
  (script.runInThisContext() as (...args: unknown[]) => void)(bundled.exports, module.createRequire(bundleFile), bundled, bundleFile, cliDir, importFromBundle);
  const { main } = bundled.exports;
  // Evaluated already (ses installed): no second copy from the modules.
  if (typeof main !== 'function') throw new Error(`cordon: ${bundleFile} exports no main; rebuild it (npm run build)`);
  let stale = cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected === true);
  const write = (): void => {
    if (!stale) return;
    stale = false;
    writeCodeCache(cacheFile!, build, script.createCachedData());
  };
  // Once the command has started the app; or at exit, for an app that ends the process itself first.
  if (stale) process.once('exit', write);
  return { main, started: write };
};
