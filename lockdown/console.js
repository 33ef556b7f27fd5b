// The console of the lockdown bundle, installed on the start compartment before SES loads (SES wraps
// whatever console it finds; lockdown() then wraps it in SES's causal console).
//
// Output goes to the engine's `print` when there is one (XS, xsnap), else to the console the realm
// already had (captured here, before anything replaces it). Each call prints one line of text made by
// `format` — until setInspector runs that is a plain join, afterwards it is the confined inspector's
// (object-inspect.script, evaluated in a Compartment of its own after lockdown).

const { apply } = Reflect;
const { freeze } = Object;
const enginePrint = typeof globalThis.print === 'function' ? globalThis.print : undefined;
const hostConsole = globalThis.console;

const plain = value => {
  try {
    return typeof value === 'string' ? value : `${value}`;
  } catch {
    return '[unprintable]';
  }
};
let format = (...args) => args.map(plain).join(' ');
let inspect = plain;
let installed = false;

/** Called once, by boot.js, with the confined inspector; later calls are ignored. */
export const setInspector = confined => {
  if (installed) return;
  installed = true;
  ({ format, inspect } = confined);
};

const sinkOf = level => {
  if (enginePrint !== undefined) return text => enginePrint(text);
  const method = hostConsole === undefined || hostConsole === null ? undefined : hostConsole[level] ?? hostConsole.log;
  if (typeof method !== 'function') return () => {};
  return text => apply(method, hostConsole, [text]);
};

let indent = '';
const emitter = level => {
  const sink = sinkOf(level);
  return text => sink(indent === '' ? text : indent + text.split('\n').join(`\n${indent}`));
};
const out = freeze({
  log: emitter('log'),
  info: emitter('info'),
  debug: emitter('debug'),
  warn: emitter('warn'),
  error: emitter('error'),
});
const formatted = args => {
  try {
    return format(...args);
  } catch {
    return args.map(plain).join(' ');
  }
};
const printer = level => (...args) => out[level](formatted(args));
const noop = () => {};
const counts = new Map();

const console = {
  log: printer('log'),
  info: printer('info'),
  debug: printer('debug'),
  warn: printer('warn'),
  error: printer('error'),
  trace: (...args) => out.error(formatted(['Trace:', ...args])),
  dirxml: printer('log'),
  dir: value => {
    try {
      out.log(inspect(value));
    } catch {
      out.log(plain(value));
    }
  },
  table: printer('log'),
  assert: (condition, ...args) => {
    if (condition) return;
    out.error(args.length === 0 ? 'Assertion failed' : formatted(typeof args[0] === 'string' ? [`Assertion failed: ${args[0]}`, ...args.slice(1)] : ['Assertion failed:', ...args]));
  },
  group: (...args) => {
    if (args.length > 0) out.log(formatted(args));
    indent += '  ';
  },
  groupCollapsed: (...args) => {
    if (args.length > 0) out.log(formatted(args));
    indent += '  ';
  },
  groupEnd: () => {
    indent = indent.slice(2);
  },
  count: (label = 'default') => {
    const n = (counts.get(`${label}`) ?? 0) + 1;
    counts.set(`${label}`, n);
    out.info(`${label}: ${n}`);
  },
  countReset: (label = 'default') => {
    counts.delete(`${label}`);
  },
  // No clock: a lockdown bundle runs where execution must be deterministic (xsnap).
  time: noop,
  timeEnd: noop,
  timeLog: noop,
  timeStamp: noop,
  profile: noop,
  profileEnd: noop,
  clear: noop,
};

globalThis.console = console;
