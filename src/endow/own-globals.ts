/**
 * Globals every package compartment gets of its own, whatever the host grants, because ordinary
 * packages write to or rely on them and SES's shared ones cannot serve:
 * - `Symbol`: SES's is frozen and shared, so `Symbol.metadata ??= Symbol('Symbol.metadata')` (emitted
 *   by TypeScript for decorators; likewise `asyncDispose`) throws. Each compartment's `Symbol` makes the
 *   same symbols (`Symbol.for` shares the registry) and has the well-known ones as writable statics.
 * - `Function`: code compiled by a compartment is strict, so `Function('return this')()` (lodash,
 *   regenerator, many UMD bundles: "find the global object") gives `undefined`. A function made by
 *   the compartment's `Function` whose body mentions `this` is called, when called without a receiver,
 *   with the compartment's global object as `this`, as sloppy code would be.
 */
const { defineProperty, getOwnPropertyNames, getOwnPropertyDescriptor, freeze } = Object;
const { apply, construct } = Reflect;

export const makeOwnSymbol = (HostSymbol: SymbolConstructor): SymbolConstructor => {
  const Symbol = function Symbol(this: unknown, description?: string | number): symbol {
    if (new.target !== undefined) throw new TypeError('Symbol is not a constructor');
    return HostSymbol(description);
  } as unknown as SymbolConstructor;
  for (const name of getOwnPropertyNames(HostSymbol)) {
    if (name === 'prototype' || name === 'length' || name === 'name') continue;
    const descriptor = getOwnPropertyDescriptor(HostSymbol, name)!;
    // Well-known symbols become writable (as `??=` needs); methods stay as they are.
    defineProperty(Symbol, name, typeof descriptor.value === 'symbol' ? { value: descriptor.value, writable: true, enumerable: false, configurable: true } : descriptor);
  }
  defineProperty(Symbol, 'prototype', { value: HostSymbol.prototype, writable: false, enumerable: false, configurable: false });
  return Symbol;
};

const mentionsThis = /\bthis\b/;

export const makeOwnFunction = (CompartmentFunction: FunctionConstructor, globalObject: object): FunctionConstructor => {
  const Function = function Function(this: unknown, ...args: string[]): Function {
    const made = construct(CompartmentFunction, args) as (...rest: unknown[]) => unknown;
    const body = args.length === 0 ? '' : String(args[args.length - 1]);
    if (!mentionsThis.test(body)) return made;
    const sloppy = function (this: unknown, ...rest: unknown[]): unknown {
      if (new.target !== undefined) return construct(made, rest, new.target);
      return apply(made, this ?? globalObject, rest);
    };
    defineProperty(sloppy, 'name', { value: made.name, configurable: true });
    defineProperty(sloppy, 'length', { value: made.length, configurable: true });
    defineProperty(sloppy, 'prototype', { value: made.prototype, writable: true, enumerable: false, configurable: false });
    defineProperty(sloppy, 'toString', { value: freeze(function toString() { return Function.prototype.toString.call(made); }), writable: true, configurable: true });
    return sloppy;
  } as unknown as FunctionConstructor;
  defineProperty(Function, 'prototype', { value: CompartmentFunction.prototype, writable: false, enumerable: false, configurable: false });
  return Function;
};
