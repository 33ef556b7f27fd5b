/**
 * The globals every compartment has whatever the policy says: JavaScript's own (ECMAScript and
 * ECMA-402 intrinsics) and the ones SES adds. A free reference to one of these, or to one of their
 * members (`Math.random`, `Date.now`), is never a policy matter, so policy generation ignores it.
 */

/** A Set that refuses `add`, `delete` and `clear` (freezing a Set alone leaves its contents mutable). */
const frozenSet = (names: readonly string[]): ReadonlySet<string> => {
  const set = new Set(names);
  const refuse = (): never => {
    throw new TypeError('Cannot modify a frozen set');
  };
  for (const method of ['add', 'delete', 'clear']) Object.defineProperty(set, method, { value: refuse });
  return Object.freeze(set);
};

export const LANGUAGE_GLOBALS: ReadonlySet<string> = frozenSet([
  // Value properties of the global object.
  'globalThis', 'undefined', 'NaN', 'Infinity',
  // Function properties.
  'eval', 'isFinite', 'isNaN', 'parseFloat', 'parseInt',
  'decodeURI', 'decodeURIComponent', 'encodeURI', 'encodeURIComponent', 'escape', 'unescape',
  // Constructors and namespaces.
  'Object', 'Function', 'Array', 'Number', 'Boolean', 'String', 'Symbol', 'BigInt',
  'Date', 'RegExp', 'Promise', 'Proxy', 'Reflect', 'Math', 'JSON', 'Intl', 'Atomics',
  'Map', 'Set', 'WeakMap', 'WeakSet', 'WeakRef', 'FinalizationRegistry', 'Iterator',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Int8Array', 'Uint8Array', 'Uint8ClampedArray', 'Int16Array', 'Uint16Array', 'Int32Array',
  'Uint32Array', 'Float16Array', 'Float32Array', 'Float64Array', 'BigInt64Array', 'BigUint64Array',
  'Error', 'AggregateError', 'EvalError', 'RangeError', 'ReferenceError', 'SyntaxError',
  'TypeError', 'URIError', 'SuppressedError', 'DisposableStack', 'AsyncDisposableStack',
  // SES.
  'harden', 'assert', 'lockdown', 'repairIntrinsics', 'hardenIntrinsics', 'Compartment',
  'ModuleSource', 'StaticModuleRecord',
]);

/** Names that mean the global object itself: `globalThis.fetch` is `fetch`. */
export const GLOBAL_OBJECT_NAMES: ReadonlySet<string> = frozenSet(['globalThis', 'global', 'window', 'self']);
