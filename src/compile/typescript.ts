/**
 * TypeScript by type stripping, as Node's `--experimental-strip-types` does it and with Node's own
 * stripper (`amaro`, swc's wasm-typescript): every type annotation, type-only import and export,
 * interface and `declare` is replaced by blanks, so each line and column of the output is the same
 * line and column of the source (stack traces and `import.meta.url` name the `.ts` file as written).
 * What cannot be blanked (enums, namespaces with values, parameter properties, `import x = require()`,
 * `export =`, `<T>x` assertions) is refused with `CORDON_TYPESCRIPT_UNSUPPORTED` at its line and
 * column; `.tsx` files are stripped as TypeScript and JSX in them is refused (`CORDON_TYPESCRIPT_JSX`).
 *
 * The stripper is about 3.7 MB of JavaScript holding a WebAssembly module (about 35 ms to load on this
 * machine, docs/typescript.md), so it is loaded on first use, asynchronously (`loadTypeScriptStripper`):
 * an application without TypeScript, or whose TypeScript is served whole from the compile cache, never
 * pays for it. Pure otherwise: text in, text out, no IO.
 */
import { CordonError } from '../diagnostics/index.js';

type Transform = (source: string, options: Record<string, unknown>) => { code: string };

let transform: Transform | undefined;
let loading: Promise<void> | undefined;

/**
 * SES's ArrayBuffer shim (`@endo/immutable-arraybuffer`, installed by `import 'ses'`) answers
 * `detached === false` for every buffer where the engine has no `detached` of its own (Node 20). The
 * stripper's wasm-bindgen glue trusts that answer to know when to renew its `DataView` of the WebAssembly
 * memory, so once the memory grows it writes through a stale view and fails ("detached ArrayBuffer").
 * Where the answer is wrong, every call runs with a `DataView` whose `buffer` tells a detached buffer
 * apart (its length drops to 0; a WebAssembly memory's never does), restored after the call (synchronous:
 * nothing else runs meanwhile).
 */
const detachedIsWrong = (): boolean => {
  try {
    const probe = new ArrayBuffer(8);
    structuredClone(probe, { transfer: [probe] });
    return (probe as { detached?: unknown }).detached === false;
  } catch {
    return false;
  }
};

const DETACHED = Object.freeze({ detached: true });

const withHonestDataView = (call: Transform): Transform => {
  const host = globalThis as { DataView: DataViewConstructor };
  const Original = host.DataView;
  class MemoryDataView extends DataView<ArrayBuffer> {
    override get buffer(): ArrayBuffer {
      const buffer = super.buffer as ArrayBuffer;
      return buffer.byteLength === 0 ? (DETACHED as unknown as ArrayBuffer) : buffer;
    }
  }
  return (source, options) => {
    host.DataView = MemoryDataView as unknown as DataViewConstructor;
    try {
      return call(source, options);
    } finally {
      host.DataView = Original;
    }
  };
};

/** Whether the stripper is loaded (every strip is then synchronous). */
export const typeScriptStripperReady = (): boolean => transform !== undefined;

/** Loads the stripper once; later calls return the same promise. */
export const loadTypeScriptStripper = (): Promise<void> => {
  loading ??= import('amaro').then(
    module => {
      const candidate = (module as { transformSync?: unknown; default?: { transformSync?: unknown } }).transformSync ?? module.default?.transformSync;
      if (typeof candidate !== 'function') throw new TypeError('The amaro package has no transformSync function');
      transform = detachedIsWrong() ? withHonestDataView(candidate as Transform) : (candidate as Transform);
    },
    error => {
      loading = undefined;
      throw new CordonError('CORDON_TYPESCRIPT_UNAVAILABLE', `Cannot load the TypeScript stripper (amaro): ${(error as Error)?.message ?? error}`, { cause: error });
    },
  );
  return loading;
};

/** What amaro throws: a plain object, not an Error. */
interface StripFailure {
  readonly code?: unknown;
  readonly message?: unknown;
  readonly startLine?: unknown;
  readonly startColumn?: unknown;
}

const isTsx = (location: string): boolean => /\.tsx(?:[?#]|$)/i.test(location);

/** The position of the `<` that opens the JSX the stripper stumbled on: the last one at or before the failure on its line. */
const jsxStart = (text: string, line: number, column: number): number => {
  let offset = 0;
  for (let n = 1; n < line; n += 1) {
    const next = text.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  const lineText = text.slice(offset, offset + column + 1);
  const at = lineText.lastIndexOf('<');
  return at < 0 ? column : at;
};

const failureOf = (failure: StripFailure, text: string, location: string): CordonError => {
  // The stripper reports the source's problems as plain objects; an Error is its own failure.
  if (failure instanceof Error) {
    return new CordonError('CORDON_TYPESCRIPT_UNAVAILABLE', `The TypeScript stripper failed on ${location}: ${failure.message}`, { file: location, cause: failure });
  }
  const message = typeof failure.message === 'string' ? failure.message : String(failure.message ?? failure);
  const line = typeof failure.startLine === 'number' ? failure.startLine : undefined;
  const column = typeof failure.startColumn === 'number' ? failure.startColumn : undefined;
  const angleAssertion = /angle-bracket syntax for type assertions/.test(message);
  if (isTsx(location) && (failure.code === 'InvalidSyntax' || angleAssertion)) {
    return new CordonError('CORDON_TYPESCRIPT_JSX', `Cannot strip ${location.slice(location.lastIndexOf('/') + 1)}: JSX is not supported, only types are stripped (${message})`, {
      file: location,
      line,
      column: line !== undefined && column !== undefined ? jsxStart(text, line, column) : column,
      cause: failure,
    });
  }
  if (failure.code === 'UnsupportedSyntax') {
    return new CordonError('CORDON_TYPESCRIPT_UNSUPPORTED', `Cannot strip TypeScript: ${message}`, { file: location, line, column, cause: failure });
  }
  if (failure.code === 'InvalidSyntax') {
    return new CordonError('CORDON_SYNTAX_ERROR', `Cannot parse TypeScript: ${message}`, { file: location, line, column, cause: failure });
  }
  return new CordonError('CORDON_SYNTAX_ERROR', `Cannot strip TypeScript: ${message}`, { file: location, cause: failure });
};

/** Cordon's own TypeScript parsers (and the compile cache's wrappers of them): they need the stripper. */
const strippingParsers = new WeakSet<object>();
export const markStrippingParser = <T extends object>(parser: T): T => {
  strippingParsers.add(parser);
  return parser;
};
export const isStrippingParser = (parser: unknown): boolean => typeof parser === 'object' && parser !== null && strippingParsers.has(parser);

const stripped = new WeakMap<Uint8Array, string>();

/**
 * The text with its types blanked (synchronous: the stripper must be loaded). The result for a given
 * bytes object is kept, so the language check and the compiler strip a module once.
 */
export const stripTypeScript = (text: string, location: string, bytes?: Uint8Array): string => {
  const known = bytes === undefined ? undefined : stripped.get(bytes);
  if (known !== undefined) return known;
  if (transform === undefined) throw new CordonError('CORDON_TYPESCRIPT_UNAVAILABLE', `The TypeScript stripper is not loaded (stripping ${location})`, { file: location });
  let code: string;
  try {
    code = transform(text, { mode: 'strip-only', sourceMap: false, filename: location }).code;
  } catch (error) {
    throw failureOf(error as StripFailure, text, location);
  }
  if (bytes !== undefined) stripped.set(bytes, code);
  return code;
};
