/**
 * A package's `fs.watch`, `fs.watchFile`, `fs.unwatchFile` and `fsPromises.watch`: the watched path
 * needs read (a recursive watch: read of its whole subtree). What they return is the package's own
 * emitter, fed by the host's watcher, never the host's `FSWatcher`/`StatWatcher` (whose constructors and
 * `start` would watch any path unchecked). `unwatchFile` removes only this package's listeners (Node
 * keeps one watcher per file for the whole process).
 */
import { EventEmitter } from 'node:events';
import type { PathResolver } from './fs-paths.js';
import { invalidType } from './fs-paths.js';

interface Emitting {
  on(event: string, listener: (...args: any[]) => void): unknown;
  close?(): void;
  ref?(): unknown;
  unref?(): unknown;
}

export interface WatchDeps {
  readonly resolver: PathResolver;
  /** `follow` + read (+ the subtree when recursive); returns the resolved path. */
  readonly checkRead: (value: unknown, recursive: boolean, what: string) => string;
  readonly realFs: Record<string, any>;
  readonly realPromises: Record<string, any> | undefined;
}

type Fn = (...args: any[]) => any;

/** What `makeWatchers` gives (each function absent where the host's fs has none). */
export interface Watchers {
  readonly FSWatcher: Function;
  readonly StatWatcher: Function;
  readonly watch: Fn | undefined;
  readonly watchFile: Fn | undefined;
  readonly unwatchFile: Fn | undefined;
  readonly promisesWatch: Fn | undefined;
}

export const makeWatchers = (deps: WatchDeps): Watchers => {
  const { checkRead, realFs, realPromises } = deps;
  const watch = realFs.watch?.bind(realFs) as ((p: string, o: unknown) => Emitting) | undefined;
  const watchFile = realFs.watchFile?.bind(realFs) as ((p: string, o: unknown, l: Function) => Emitting) | undefined;
  const unwatchFile = realFs.unwatchFile?.bind(realFs) as ((p: string, l?: Function) => void) | undefined;
  const promisesWatch = realPromises?.watch?.bind(realPromises) as ((p: string, o: unknown) => AsyncIterable<unknown>) | undefined;
  const reals = new WeakMap<object, Emitting>();

  /** The package's watcher: an emitter of what the host's one emits. */
  class FSWatcher extends EventEmitter {
    close(): void {
      reals.get(this)?.close?.();
    }
    ref(): this {
      reals.get(this)?.ref?.();
      return this;
    }
    unref(): this {
      reals.get(this)?.unref?.();
      return this;
    }
  }
  class StatWatcher extends FSWatcher {}
  const relay = <T extends FSWatcher>(guest: T, real: Emitting, events: readonly string[]): T => {
    reals.set(guest, real);
    for (const event of events) real.on(event, (...args: unknown[]) => guest.emit(event, ...args));
    return guest;
  };
  const recursiveOf = (options: unknown): boolean => options !== null && typeof options === 'object' && Boolean((options as { recursive?: unknown }).recursive);

  const guestWatch = (filename: unknown, options?: unknown, listener?: unknown): FSWatcher => {
    if (typeof options === 'function') {
      listener = options;
      options = undefined;
    }
    const resolved = checkRead(filename, recursiveOf(options), 'fs.watch');
    const guest = relay(new FSWatcher(), watch!(resolved, options ?? {}), ['change', 'error', 'close']);
    if (typeof listener === 'function') guest.on('change', listener as (...args: any[]) => void);
    return guest;
  };

  const listeners = new Map<string, Set<Function>>();
  const guestWatchFile = (filename: unknown, options?: unknown, listener?: unknown): StatWatcher => {
    if (typeof options === 'function') {
      listener = options;
      options = undefined;
    }
    if (typeof listener !== 'function') throw invalidType('listener', 'of type function', listener);
    const resolved = checkRead(filename, false, 'fs.watchFile');
    const real = watchFile!(resolved, options ?? {}, listener);
    let mine = listeners.get(resolved);
    if (mine === undefined) listeners.set(resolved, (mine = new Set()));
    mine.add(listener);
    const guest = new StatWatcher();
    reals.set(guest, real);
    return guest;
  };
  const guestUnwatchFile = (filename: unknown, listener?: unknown): void => {
    const resolved = deps.resolver.follow(filename, 'filename');
    const mine = listeners.get(resolved);
    if (mine === undefined) return;
    const which = typeof listener === 'function' ? (mine.has(listener) ? [listener] : []) : [...mine];
    for (const one of which) {
      mine.delete(one);
      unwatchFile!(resolved, one);
    }
    if (mine.size === 0) listeners.delete(resolved);
  };

  async function* guestPromisesWatch(filename: unknown, options?: unknown): AsyncGenerator<unknown, void, undefined> {
    const resolved = checkRead(filename, recursiveOf(options), 'fsPromises.watch');
    yield* promisesWatch!(resolved, options ?? {});
  }

  return {
    FSWatcher,
    StatWatcher,
    watch: watch && guestWatch,
    watchFile: watchFile && guestWatchFile,
    unwatchFile: unwatchFile && guestUnwatchFile,
    promisesWatch: promisesWatch && guestPromisesWatch,
  };
};
