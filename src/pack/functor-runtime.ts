/**
 * The linker every script and functor carries. `functor.ts` embeds this function's own text
 * (`String(functorRuntime)`), so it must stay self-contained: no imports, no outer names, nothing the
 * TypeScript compiler would lower into helpers. It implements the part of SES's module protocol that
 * Cordon's compiled programs use — `imports`, `liveVar`, `onceVar`, `importMeta`, `import` — with one
 * binding cell per export, so live bindings, cycles (with TDZ) and re-exports behave as in
 * `importLocation`, without a Compartment per package.
 *
 * Module table entries (written by `functor.ts`; data only, in the order deps first, entry last):
 *   k: 'mjs' | 'cjs' | 'json' | 'text' | 'bytes' | 'empty'
 *   n: the module's name (`<compartment>/<path>`), the base of its sourceURL and import.meta.url
 *   f: the functor (a function) or, for useEvaluate, its source text; JSON/text: the text; bytes: base64
 *   l: specifier → a module index, { h: host specifier } or { e: deferred error message }
 *   x: export names (CommonJS: as Node's lexer finds them, with `default`)
 *   r: `export *` specifiers;  m: `export {a as b} from` map;  v: live exports;  o: fixed exports
 *   a: 1 when the module awaits at its top level
 *
 * Evaluation is model/module-evaluation.ts's (passed in, embedded beside this text): the spec's algorithm,
 * top-level await included. The functor returns the entry's namespace, or — when the entry had to wait
 * for a module with top-level await — a promise of it.
 */
import type { EvaluatedInstance, EvaluationWalk, functorEvaluation } from '../model/module-evaluation.js';

export interface BundledModule {
  readonly k: 'mjs' | 'cjs' | 'json' | 'text' | 'bytes' | 'empty';
  readonly n: string;
  readonly f?: unknown;
  readonly l?: Readonly<Record<string, number | { readonly h: string } | { readonly e: string }>>;
  readonly x?: readonly string[];
  readonly r?: readonly string[];
  readonly m?: Readonly<Record<string, readonly (readonly [string, string])[]>>;
  readonly v?: Readonly<Record<string, readonly unknown[]>>;
  readonly o?: Readonly<Record<string, readonly string[]>>;
  readonly a?: 1;
}

/** Runtime options of a functor (Endo's names): `evaluate`, `require`, `sourceUrlPrefix`. */
export interface FunctorRuntimeOptions {
  readonly evaluate?: ((source: string) => unknown) | undefined;
  readonly require?: ((specifier: string) => unknown) | undefined;
  readonly sourceUrlPrefix?: string | undefined;
}

export function functorRuntime(modules: readonly BundledModule[], entry: number, defaults: { p?: string; c?: boolean }, makeEvaluation: typeof functorEvaluation) {
  'use strict';
  const { create, defineProperty, freeze, keys } = Object;
  type Cell = { v: unknown; s: ((value: unknown) => void)[] };
  type Instance = EvaluatedInstance & { cells: Record<string, Cell>; ns?: object; names?: string[] };
  type Walk = EvaluationWalk<Instance>;
  return function cordonFunctor(options?: unknown): object {
    const given = (options !== null && typeof options === 'object' ? options : {}) as FunctorRuntimeOptions;
    const prefix = typeof given.sourceUrlPrefix === 'string' ? given.sourceUrlPrefix : (defaults.p ?? '');
    const evaluate = typeof given.evaluate === 'function' ? given.evaluate : (source: string) => (0, eval)(source);
    const lexicalRequire = defaults.c && typeof (globalThis as { require?: unknown }).require === 'function' ? (globalThis as unknown as { require: (s: string) => unknown }).require : undefined;
    const hostRequire = typeof given.require === 'function' ? given.require : lexicalRequire;
    const TDZ = freeze(create(null)) as object;
    const instances: Instance[] = [];
    const exits: Record<string, Instance> = create(null);
    const newCell = (): Cell => ({ v: TDZ, s: [] });
    const publish = (cell: Cell, value: unknown) => {
      cell.v = value;
      for (const setter of cell.s) setter(value);
    };
    const subscribe = (cell: Cell, setter: (value: unknown) => void) => {
      cell.s.push(setter);
      if (cell.v !== TDZ) setter(cell.v);
    };
    // A module's URL (import.meta.url, sourceURL): the prefix and its name; without a prefix a file: URL
    // under /bundled-source/ (Node's createRequire takes it), and __filename that path.
    const urlOf = (i: number) => `${prefix || 'file:///bundled-source/'}${modules[i]!.n}`;
    const filenameOf = (i: number) => `${prefix || '/bundled-source/'}${modules[i]!.n}`;

    const instance = (i: number): Instance => {
      let found = instances[i];
      if (found) return found;
      const m = modules[i]!;
      const cells: Record<string, Cell> = create(null);
      if (m.k === 'mjs') {
        for (const name of keys(m.o ?? {})) cells[name] = newCell();
        for (const name of keys(m.v ?? {})) cells[name] = newCell();
      } else {
        for (const name of m.x ?? ['default']) cells[name] = newCell();
        cells.default ??= newCell();
      }
      found = { i, cells, state: 0 };
      instances[i] = found;
      return found;
    };

    const notFound = (specifier: string, from: number): Error => {
      const error = new Error(`Cannot find module '${specifier}' imported from ${modules[from]!.n}`) as Error & { code?: string };
      error.code = 'MODULE_NOT_FOUND';
      return error;
    };

    /** The host's module for an exit, through the runtime option `require`: a namespace of its value. */
    const exit = (specifier: string): Instance => {
      let found = exits[specifier];
      if (found) return found;
      if (hostRequire === undefined) throw new TypeError(`Cannot import host module: ${specifier}`);
      const value = hostRequire(specifier) as Record<string, unknown>;
      const cells: Record<string, Cell> = create(null);
      const isNamespace = value !== null && typeof value === 'object' && (value as { [Symbol.toStringTag]?: unknown })[Symbol.toStringTag] === 'Module';
      if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
        for (const name of keys(value)) cells[name] = { v: value[name], s: [] };
      }
      if (!isNamespace) cells.default = { v: value, s: [] };
      found = { i: -1, cells, state: 2 };
      exits[specifier] = found;
      return found;
    };

    /**
     * What a specifier of module `from` names: an instance, with the module evaluated unless it is
     * running — as a dependency in `walk`, or (no walk) as an evaluation of its own.
     */
    const target = (from: number, specifier: string, run: boolean, walk?: Walk): Instance => {
      const link = modules[from]!.l?.[specifier];
      if (link === undefined) throw notFound(specifier, from);
      if (typeof link === 'number') {
        const found = instance(link);
        if (run) evaluation.execute(found, walk ?? { stack: [], index: 0 });
        return found;
      }
      if ('e' in link) throw new Error(link.e);
      return exit(link.h);
    };

    /** The cell module `inst` exports as `name`: its own, a named re-export, or one `export *` gives. */
    const cellOf = (inst: Instance, name: string, seen: Instance[] = []): Cell | undefined => {
      const own = inst.cells[name];
      if (own !== undefined || inst.i < 0 || seen.includes(inst)) return own;
      seen.push(inst);
      const m = modules[inst.i]!;
      for (const specifier of keys(m.m ?? {})) {
        for (const [imported, exported] of m.m![specifier]!) {
          if (exported !== name) continue;
          const from = target(inst.i, specifier, false);
          const cell = imported === '*' ? namespaceCell(from) : cellOf(from, imported, seen);
          if (cell) inst.cells[name] = cell;
          return cell;
        }
      }
      if (name === 'default') return undefined;
      let star: Cell | undefined;
      for (const specifier of m.r ?? []) {
        const cell = cellOf(target(inst.i, specifier, false), name, seen.slice());
        if (cell === undefined || cell === star) continue;
        if (star !== undefined) return undefined; // ambiguous: two `export *` give different bindings
        star = cell;
      }
      return star;
    };

    const namesOf = (inst: Instance, seen: Instance[] = []): string[] => {
      if (inst.names) return inst.names;
      if (inst.i < 0 || seen.includes(inst)) return keys(inst.cells);
      seen.push(inst);
      const m = modules[inst.i]!;
      const names = new Set(keys(inst.cells));
      for (const specifier of keys(m.m ?? {})) for (const [, exported] of m.m![specifier]!) names.add(exported);
      for (const specifier of m.r ?? []) {
        for (const name of namesOf(target(inst.i, specifier, false), seen)) if (name !== 'default') names.add(name);
      }
      const found = [...names].filter(name => cellOf(inst, name) !== undefined).sort();
      if (seen[0] === inst) inst.names = found;
      return found;
    };

    const namespaceOf = (inst: Instance): object => {
      if (inst.ns) return inst.ns;
      const ns = create(null) as object;
      for (const name of namesOf(inst)) {
        const cell = cellOf(inst, name)!;
        defineProperty(ns, name, {
          enumerable: true,
          get() {
            if (cell.v === TDZ) throw new ReferenceError(`Cannot access '${name}' before initialization`);
            return cell.v;
          },
        });
      }
      defineProperty(ns, Symbol.toStringTag, { value: 'Module' });
      inst.ns = freeze(ns);
      return inst.ns;
    };
    const namespaceCell = (inst: Instance): Cell => ({ v: namespaceOf(inst), s: [] });

    /**
     * What `require()` returns: a CommonJS module's `module.exports`; an ES module's namespace — or, as
     * Node ≥ 20.19 gives it, its export named 'module.exports', or for a module with a default export
     * (and no `__esModule`), a namespace-shaped copy with `__esModule: true`, made once.
     */
    const facades: Record<number, object> = create(null);
    const requireValue = (inst: Instance): unknown => {
      if (inst.i < 0 || modules[inst.i]!.k !== 'mjs') return inst.cells.default!.v;
      const ns = namespaceOf(inst) as Record<string, unknown>;
      const names = namesOf(inst);
      if (names.includes('module.exports')) return ns['module.exports'];
      if (!names.includes('default') || names.includes('__esModule')) return ns;
      let facade = facades[inst.i];
      if (facade === undefined) {
        const made = create(null) as Record<PropertyKey, unknown>;
        for (const name of ['__esModule', ...names].sort()) {
          let value: unknown = true;
          if (name !== '__esModule') {
            try {
              value = ns[name];
            } catch {
              value = undefined;
            }
          }
          defineProperty(made, name, { value, writable: true, enumerable: true, configurable: false });
        }
        defineProperty(made, Symbol.toStringTag, { value: 'Module' });
        facade = Object.preventExtensions(made);
        facades[inst.i] = facade;
      }
      return facade;
    };

    const functorOf = (i: number): unknown => {
      const m = modules[i]!;
      return typeof m.f === 'string' ? evaluate(`${m.f}\n//# sourceURL=${urlOf(i)}\n`) : m.f;
    };

    const runModule = (inst: Instance, walk: Walk): void => {
      const i = inst.i;
      const m = modules[i]!;
      if (m.k === 'mjs') {
        const byLocal = (map: Readonly<Record<string, readonly unknown[]>> | undefined, fixed: boolean) => {
          const setters: Record<string, (value: unknown) => void> = create(null);
          for (const exported of keys(map ?? {})) {
            const entry = map![exported]!;
            const local = String(entry[0]);
            const cell = inst.cells[exported]!;
            const before = setters[local];
            setters[local] = fixed
              ? value => {
                  before?.(value);
                  if (cell.v === TDZ) publish(cell, value);
                }
              : value => {
                  before?.(value);
                  publish(cell, value);
                };
          }
          return freeze(setters);
        };
        const imports = (entries: Iterable<readonly [string, Iterable<readonly [string, readonly ((value: unknown) => void)[]]>]>): unknown => {
          try {
            for (const [specifier, bindings] of entries) {
              const from = target(i, specifier, true, walk);
              evaluation.dependency(inst, from);
              for (const [name, setters] of bindings) {
                const cell = name === '*' ? namespaceCell(from) : cellOf(from, name);
                if (cell === undefined) throw new SyntaxError(`The requested module '${specifier}' does not provide an export named '${name}' (imported by ${m.n})`);
                for (const setter of setters) subscribe(cell, setter);
              }
            }
          } catch (error) {
            thrown = { v: error };
            throw error;
          }
          return (waits = evaluation.wait(inst));
        };
        const meta = create(null) as Record<string, unknown>;
        meta.url = urlOf(i);
        const functor = functorOf(i) as (environment: object) => unknown;
        let waits: unknown;
        let thrown: { v: unknown } | undefined;
        const result = functor(freeze({ imports, liveVar: byLocal(m.v, false), onceVar: byLocal(m.o, true), importMeta: meta, import: (specifier: unknown) => dynamicImport(i, specifier) }));
        evaluation.ran(inst, result, waits, thrown);
        return;
      }
      if (m.k === 'cjs') {
        const name = filenameOf(i);
        const dirname = name.slice(0, name.lastIndexOf('/'));
        const require = (specifier: unknown): unknown => {
          if (typeof specifier !== 'string') throw new TypeError(`The "id" argument of require() must be a string, received ${typeof specifier}`);
          const link = m.l?.[specifier];
          if (link !== undefined && typeof link === 'object' && 'h' in link) {
            if (hostRequire === undefined) throw new TypeError(`Cannot import host module: ${link.h}`);
            return hostRequire(link.h);
          }
          const found = target(i, specifier, true);
          if (evaluation.isAsync(found)) {
            const error = new Error(`require() cannot be used on an ESM graph with top-level await. Use import${'('}) instead. (requiring ${specifier} from ${m.n})`) as Error & { code?: string };
            error.code = 'ERR_REQUIRE_ASYNC_MODULE';
            throw error;
          }
          return requireValue(found);
        };
        require.resolve = (specifier: string): string => {
          const link = m.l?.[specifier];
          if (link === undefined) throw notFound(specifier, i);
          return typeof link === 'number' ? urlOf(link) : 'h' in link ? link.h : specifier;
        };
        let moduleExports: unknown = {};
        const defaultCell = inst.cells.default!;
        publish(defaultCell, moduleExports);
        const module = {
          id: name,
          filename: name,
          path: dirname,
          loaded: false,
          children: [],
          paths: [],
          require,
          get exports(): unknown {
            return moduleExports;
          },
          set exports(value: unknown) {
            moduleExports = value;
            publish(defaultCell, value);
          },
        };
        const functor = functorOf(i) as (...args: unknown[]) => void;
        Reflect.apply(functor, moduleExports, [require, moduleExports, module, name, dirname, (specifier: unknown) => dynamicImport(i, specifier)]);
        module.loaded = true;
        const value = module.exports as Record<string, unknown>;
        if (value !== defaultCell.v) publish(defaultCell, value);
        for (const exported of keys(inst.cells)) {
          if (exported === 'default') continue;
          const cell = inst.cells[exported]!;
          publish(cell, exported === 'module.exports' ? value : value !== null && (typeof value === 'object' || typeof value === 'function') ? value[exported] : undefined);
        }
        return;
      }
      let value: unknown;
      if (m.k === 'json') value = JSON.parse(String(m.f));
      else if (m.k === 'text') value = String(m.f);
      else if (m.k === 'empty') value = {};
      else {
        // bytes: base64 → a Uint8Array, as importLocation gives (no atob in every engine)
        const text = String(m.f);
        const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
        const length = Math.floor((text.replace(/=+$/, '').length * 3) / 4);
        const bytes = new Uint8Array(length);
        let bits = 0;
        let count = 0;
        let at = 0;
        for (const char of text) {
          const digit = alphabet.indexOf(char);
          if (digit < 0) continue;
          bits = (bits << 6) | digit;
          count += 6;
          if (count >= 8) {
            count -= 8;
            if (at < length) bytes[at++] = (bits >> count) & 0xff;
          }
        }
        value = bytes;
      }
      publish(inst.cells.default!, value);
    };

    /** A dynamic import: the module evaluated (awaiting it if it awaits), then its namespace. */
    const dynamicImport = (from: number, specifier: unknown): Promise<unknown> =>
      new Promise<Instance>(resolve => resolve(target(from, String(specifier), true))).then(found => (found.i < 0 ? namespaceOf(found) : evaluation.settled(found).then(() => namespaceOf(found))));

    const evaluation = makeEvaluation<Instance>(inst => modules[inst.i]!.a === 1, (inst, walk) => runModule(inst, walk));
    const main = instance(entry);
    evaluation.execute(main, { stack: [], index: 0 });
    // An entry that waits for a module with top-level await completes with a promise of its namespace.
    if (evaluation.isAsync(main)) return evaluation.settled(main).then(() => namespaceOf(main)) as unknown as object;
    return namespaceOf(main);
  };
}
