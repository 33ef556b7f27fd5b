/**
 * The `ChildProcess` objects a package gets from its own `child_process`: fresh event emitters, one
 * class per package, that stand in front of the host's real `ChildProcess`. They forward what a caller
 * uses (`pid`, `stdin`/`stdout`/`stderr`/`stdio`, `exitCode`, `signalCode`, `killed`, `connected`,
 * `spawnfile`, `spawnargs`, `channel`; `kill`, `ref`, `unref`, `send`, `disconnect`, `[Symbol.dispose]`;
 * the events `spawn`, `exit`, `close`, `error`, `message`, `disconnect`) and hide what would spawn
 * again without a check: the real object's `constructor` (the host's `ChildProcess`, whose
 * `prototype.spawn` takes any file), its `spawn` method, and its `_handle` (the `Process` binding).
 *
 * Events are forwarded lazily: the real child gets a listener for an event only once the package
 * listens for it, so a child without an `'error'` listener still throws on a spawn error, as in Node.
 * The package's own `new ChildProcess().spawn(options)` (the low-level form) goes through the
 * package's checks (`spawnChecked`).
 */
import { EventEmitter } from 'node:events';
import type { ChildProcess as HostChildProcess } from 'node:child_process';

// Captured when Cordon loads (`events` is handed to packages as it is; one could replace its members).
const emit = EventEmitter.prototype.emit;
const eventNames = EventEmitter.prototype.eventNames;

const FORWARDED: ReadonlySet<string> = new Set(['spawn', 'exit', 'close', 'error', 'message', 'disconnect']);

/** What a facade reads from its child before it has one (`new ChildProcess()` not yet spawned). */
const UNSPAWNED: Readonly<Record<string, unknown>> = Object.freeze({
  pid: undefined, stdin: null, stdout: null, stderr: null, stdio: undefined, exitCode: null, signalCode: null,
  killed: false, connected: false, spawnfile: undefined, spawnargs: undefined, channel: undefined,
});

/** A package's facade class, and how its `child_process` functions put a real child behind a new facade. */
export interface ChildProcessClass {
  readonly ChildProcess: new () => EventEmitter;
  wrap(real: HostChildProcess): EventEmitter;
}

/**
 * Makes a package's `ChildProcess` class. `spawnChecked(options)` does what the host's
 * `ChildProcess.prototype.spawn` does, after the package's checks, on a new host child it returns.
 */
export const makeChildProcessClass = (
  spawnChecked: (options: unknown) => { child: HostChildProcess; result: unknown },
  hostPrototype: object,
): ChildProcessClass => {
  const reals = new WeakMap<object, HostChildProcess>();
  const forwarded = new WeakMap<object, Set<string>>();

  const forward = (facade: EventEmitter, event: unknown): void => {
    const real = reals.get(facade);
    if (real === undefined || typeof event !== 'string' || !FORWARDED.has(event)) return;
    const done = forwarded.get(facade)!;
    if (done.has(event)) return;
    done.add(event);
    real.on(event, (...args: unknown[]) => {
      Reflect.apply(emit, facade, [event, ...args]);
    });
  };

  const bind = (facade: EventEmitter, real: HostChildProcess): void => {
    reals.set(facade, real);
    for (const event of Reflect.apply(eventNames, facade, []) as (string | symbol)[]) forward(facade, event);
    // IPC members exist only on a child with a channel (`typeof child.send === 'function'` is how callers tell).
    for (const name of ['send', 'disconnect'] as const) {
      const method = (real as unknown as Record<string, unknown>)[name];
      if (typeof method !== 'function') continue;
      Object.defineProperty(facade, name, {
        value: (...args: unknown[]) => Reflect.apply(method, real, args),
        writable: true, enumerable: false, configurable: true,
      });
    }
  };

  const realOf = (facade: unknown): HostChildProcess | undefined => (typeof facade === 'object' && facade !== null ? reals.get(facade) : undefined);

  class ChildProcess extends EventEmitter {
    constructor() {
      super();
      forwarded.set(this, new Set());
    }

    /** The low-level form: spawns `options.file` (after the package's checks) behind this object. */
    spawn(options: unknown): unknown {
      if (reals.has(this)) throw new Error('This ChildProcess has already been spawned');
      const { child, result } = spawnChecked(options);
      bind(this, child);
      return result;
    }

    kill(signal?: NodeJS.Signals | number): boolean {
      const real = realOf(this);
      return real === undefined ? false : real.kill(signal);
    }

    ref(): void {
      realOf(this)?.ref();
    }

    unref(): void {
      realOf(this)?.unref();
    }

    override on(event: string | symbol, listener: (...args: any[]) => void): this {
      forward(this, event);
      return super.on(event, listener);
    }

    override addListener(event: string | symbol, listener: (...args: any[]) => void): this {
      forward(this, event);
      return super.addListener(event, listener);
    }

    override once(event: string | symbol, listener: (...args: any[]) => void): this {
      forward(this, event);
      return super.once(event, listener);
    }

    override prependListener(event: string | symbol, listener: (...args: any[]) => void): this {
      forward(this, event);
      return super.prependListener(event, listener);
    }

    override prependOnceListener(event: string | symbol, listener: (...args: any[]) => void): this {
      forward(this, event);
      return super.prependOnceListener(event, listener);
    }
  }

  for (const key of Object.keys(UNSPAWNED)) {
    Object.defineProperty(ChildProcess.prototype, key, {
      get(this: object) {
        const real = realOf(this);
        return real === undefined ? UNSPAWNED[key] : (real as unknown as Record<string, unknown>)[key];
      },
      // A caller's own value (execa replaces members of its child) lands on this facade alone.
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: false,
      configurable: true,
    });
  }
  // Symbol-named methods of the host's class (`Symbol.dispose`: kill on leaving a `using` block).
  for (const symbol of Object.getOwnPropertySymbols(hostPrototype)) {
    const method = Reflect.get(hostPrototype, symbol) as unknown;
    if (typeof method !== 'function') continue;
    Object.defineProperty(ChildProcess.prototype, symbol, {
      value(this: object, ...args: unknown[]) {
        const real = realOf(this);
        return real === undefined ? undefined : Reflect.apply(method, real, args);
      },
      writable: true, enumerable: false, configurable: true,
    });
  }

  const wrap = (real: HostChildProcess): EventEmitter => {
    const facade = new ChildProcess();
    bind(facade, real);
    return facade;
  };
  return { ChildProcess, wrap };
};
