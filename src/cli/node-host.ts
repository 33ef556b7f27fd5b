/**
 * What an ordinary Node application expects of its host, for `cordon run` and the real-world tests:
 * the lockdown options that let ordinary packages run, Node's globals, and Node's builtin modules as
 * host modules. This is the CLI layer: the one place that may hand out `process`, `fs` and the rest.
 */
import { builtinModules, createRequire, isBuiltin } from 'node:module';
import { makeCompartmentError } from '../index.js';

const HostError = globalThis.Error;

const require = createRequire(import.meta.url);

/**
 * Lockdown, tuned so that ordinary packages run (each choice weakens a default only where real
 * packages need it):
 * - `errorTaming: 'unsafe'`: errors keep their stacks, and V8's `Error.captureStackTrace` and
 *   `prepareStackTrace` (used by depd, hence express) behave as on Node;
 * - `stackFiltering: 'verbose'`: stack traces are not shortened, so they point at the app's files;
 * - `overrideTaming: 'severe'`: assigning a property that a frozen prototype also has (`obj.toString =`,
 *   `proto.constructor =`) works as in unfrozen JavaScript (the "override mistake"), which many
 *   packages rely on;
 * - `consoleTaming: 'unsafe'`: Node's own console (colors, formatting, `console.log` of objects);
 * - `localeTaming: 'unsafe'`: `toLocaleString` and friends keep the host's locale behaviour;
 * - `domainTaming: 'unsafe'`: Node's (deprecated) domains may stay enabled (some loggers use them);
 * - `errorTrapping: 'none'`, `unhandledRejectionTrapping: 'none'`: an uncaught exception or an unhandled
 *   rejection ends the app with Node's own message (its stack) and exit code 1, as under `node` (SES's
 *   defaults print only its properties and exit 255, or let the process exit 0);
 * - `dateTaming`/`mathTaming` are left alone: compartments get the host's `Date` and `Math` as globals
 *   instead (see `nodeGlobals`).
 */
export const nodeLockdownOptions = Object.freeze({
  errorTaming: 'unsafe',
  stackFiltering: 'verbose',
  overrideTaming: 'severe',
  consoleTaming: 'unsafe',
  localeTaming: 'unsafe',
  domainTaming: 'unsafe',
  errorTrapping: 'none',
  unhandledRejectionTrapping: 'none',
} as const);

/** Names SES adds to the start compartment that are not Node's to hand out. */
const SES_NAMES = new Set(['lockdown', 'repairIntrinsics', 'hardenIntrinsics', 'harden', 'Compartment', 'assert', 'ModuleSource', 'HandledPromise']);

/**
 * The web interfaces Node defines lazily on its global object: accessors on Node 20, V8 lazy data
 * properties on Node 24, whose descriptor, once read, loads the module behind them (`FormData` loads
 * undici: 114 modules, 15–30 ms). They stay lazy here on every Node (Node 24.22's list).
 */
const LAZY_GLOBALS = new Set([
  'AbortController', 'AbortSignal', 'BroadcastChannel', 'MessageChannel', 'MessagePort', 'MessageEvent', 'File',
  'ReadableStream', 'ReadableStreamDefaultReader', 'ReadableStreamBYOBReader', 'ReadableStreamBYOBRequest',
  'ReadableByteStreamController', 'ReadableStreamDefaultController', 'TransformStream', 'TransformStreamDefaultController',
  'WritableStream', 'WritableStreamDefaultController', 'WritableStreamDefaultWriter', 'ByteLengthQueuingStrategy',
  'CountQueuingStrategy', 'TextEncoderStream', 'TextDecoderStream', 'CompressionStream', 'DecompressionStream',
  'Performance', 'PerformanceEntry', 'PerformanceMark', 'PerformanceMeasure', 'PerformanceObserver',
  'PerformanceObserverEntryList', 'PerformanceResourceTiming', 'FormData', 'Headers', 'Request', 'Response',
  'CloseEvent', 'WebSocket', 'EventSource', 'Crypto', 'CryptoKey', 'SubtleCrypto', 'Navigator',
]);

/**
 * Node's globals a compartment lacks (console, process, Buffer, timers, fetch, URL, …), read off the
 * host after lockdown, plus the host's `Date` and `Math` (inside compartments SES's versions throw on
 * `Date.now()` and `Math.random()`).
 */
export const nodeGlobals = (compartmentGlobalNames: ReadonlySet<string>): Record<string, unknown> => {
  const globals: Record<string, unknown> = {};
  for (const name of Object.getOwnPropertyNames(globalThis)) {
    if (SES_NAMES.has(name) || compartmentGlobalNames.has(name) || name === 'global' || name === 'globalThis') continue;
    const descriptor = LAZY_GLOBALS.has(name) ? undefined : Object.getOwnPropertyDescriptor(globalThis, name)!;
    if (descriptor !== undefined && 'value' in descriptor) {
      globals[name] = descriptor.value;
      continue;
    }
    // Node makes some globals lazy (fetch loads undici when first read): keep them lazy, reading them
    // off the host (their getters insist on the host's global object as `this`).
    Object.defineProperty(globals, name, {
      get: () => Reflect.get(globalThis, name),
      set(this: object, value: unknown) {
        Object.defineProperty(this, name, { value, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true,
      configurable: true,
    });
  }
  globals.Date = Date;
  globals.Math = Math;
  return globals;
};

/**
 * Per package: `global` is its own global object (as Node code expects), and `Error` its own
 * constructor with V8's stack API (`prepareStackTrace`, `captureStackTrace`, `stackTraceLimit`).
 */
export const nodeGlobalsFor = (compartmentGlobalThis: Record<PropertyKey, unknown>): Record<string, unknown> => ({
  global: compartmentGlobalThis,
  Error: makeCompartmentError(HostError),
});

/** Node's builtins as host modules, `fs` and `node:fs` alike, loaded when first imported. */
export const nodeBuiltinModules = (): Record<string, object> => {
  const modules: Record<string, object> = {};
  const cache = new Map<string, object>();
  // Node 24 lists the prefix-only builtins with their prefix (`node:sqlite`): those come below.
  for (const name of builtinModules.filter(name => !name.startsWith('node:'))) {
    const load = (): object => {
      let loaded = cache.get(name);
      if (!loaded) cache.set(name, (loaded = require(`node:${name}`) as object));
      return loaded;
    };
    for (const specifier of [name, `node:${name}`]) {
      Object.defineProperty(modules, specifier, { get: load, enumerable: true, configurable: false });
    }
  }
  // Builtins only reachable with the prefix, where this Node has them; loaded when first imported too
  // (node:test alone is some 70 of Node's internal modules).
  for (const name of ['test', 'sea', 'sqlite', 'test/reporters']) {
    if (!isBuiltin(`node:${name}`)) continue;
    let loaded: object | undefined;
    Object.defineProperty(modules, `node:${name}`, { get: () => (loaded ??= require(`node:${name}`) as object), enumerable: true, configurable: false });
  }
  return modules;
};
