/**
 * A package's `fs.glob`/`globSync`/`fsPromises.glob` (Node 22+; absent where the host has none): the
 * directory searched from (`cwd` option, else the package's working directory) needs read of its
 * subtree, and each match is given only when the package may read it (a pattern can climb out with
 * `../` or be absolute: what it finds outside the grants is left out, as though absent).
 */
import path from 'node:path';
import { pathString } from './fs-paths.js';

type Fn = (...args: any[]) => any;

export interface GlobDeps {
  readonly realFs: Record<string, any>;
  readonly realPromises: Record<string, any> | undefined;
  readonly cwd: () => string;
  /** Checks (read, whole subtree) and resolves the directory searched from. */
  readonly resolveDirectory: (value: unknown, what: string) => string;
  readonly allows: (resolved: string) => boolean;
}

interface DirentLike {
  name: string;
  parentPath?: string;
  path?: string;
}

export const makeGlob = (deps: GlobDeps) => {
  const { realFs, realPromises } = deps;
  const realGlobSync = typeof realFs.globSync === 'function' ? (realFs.globSync as Fn).bind(realFs) : undefined;
  const realGlob = typeof realFs.glob === 'function' ? (realFs.glob as Fn).bind(realFs) : undefined;
  const realPromisesGlob = typeof realPromises?.glob === 'function' ? (realPromises.glob as Fn).bind(realPromises) : undefined;

  const prepare = (options: unknown, what: string): [Record<string, unknown>, string] => {
    const given = options !== null && typeof options === 'object' ? { ...(options as Record<string, unknown>) } : {};
    const directory = deps.resolveDirectory(given.cwd === undefined ? deps.cwd() : pathString(given.cwd, 'cwd'), what);
    return [{ ...given, cwd: directory }, directory];
  };
  const visible = (directory: string) => (match: unknown): boolean => {
    const where = typeof match === 'string' ? path.resolve(directory, match) : path.join((match as DirentLike).parentPath ?? (match as DirentLike).path ?? directory, (match as DirentLike).name);
    return deps.allows(where);
  };

  return {
    globSync: realGlobSync && ((pattern: unknown, options?: unknown) => {
      const [opts, directory] = prepare(options, 'fs.globSync');
      return (realGlobSync(pattern, opts) as unknown[]).filter(visible(directory));
    }),
    glob: realGlob && ((pattern: unknown, options: unknown, cb?: unknown) => {
      const callback = (typeof options === 'function' ? options : cb) as Fn;
      const [opts, directory] = prepare(typeof options === 'function' ? undefined : options, 'fs.glob');
      realGlob(pattern, opts, (error: unknown, matches: unknown[]) => (error ? callback(error) : callback(null, matches.filter(visible(directory)))));
    }),
    promisesGlob: realPromisesGlob && async function* (pattern: unknown, options?: unknown): AsyncGenerator<unknown, void, undefined> {
      const [opts, directory] = prepare(options, 'fsPromises.glob');
      const keep = visible(directory);
      for await (const match of realPromisesGlob(pattern, opts) as AsyncIterable<unknown>) if (keep(match)) yield match;
    },
  };
};
