/**
 * The `crypto` builtin of a `--deterministic` run: the host's module (a fresh object with the same
 * members) with `randomBytes`, `randomFill`, `randomFillSync`, `randomInt`, `randomUUID`,
 * `getRandomValues` and `webcrypto` drawing on the seeded stream. The bytes are drawn when the call
 * is made (so their order never depends on callback timing); callbacks come on the virtual loop's
 * next check phase. Key and prime generation (`generateKeyPair`, `generatePrime`, `subtle`,
 * Diffie-Hellman) stay the host's, and are not reproducible.
 */
import { Buffer } from 'node:buffer';
import type { SeededRandom } from './deterministic-random.js';
import { makeGetRandomValues } from './deterministic-globals.js';

const MAX_RANDOM_BYTES = 2 ** 31 - 1;
const MAX_RANGE = 2 ** 48 - 1;

const typeError = (code: string, message: string): TypeError => Object.assign(new TypeError(message), { code });
const rangeError = (code: string, message: string): RangeError => Object.assign(new RangeError(message), { code });

const checkCallback = (callback: unknown): ((...args: unknown[]) => void) | undefined => {
  if (callback === undefined) return undefined;
  if (typeof callback !== 'function') throw typeError('ERR_INVALID_ARG_TYPE', `The "callback" argument must be of type function. Received ${typeof callback}`);
  return callback as (...args: unknown[]) => void;
};

const checkSize = (name: string, value: unknown, max: number): number => {
  if (typeof value !== 'number') throw typeError('ERR_INVALID_ARG_TYPE', `The "${name}" argument must be of type number. Received ${typeof value}`);
  if (!Number.isInteger(value) || value < 0 || value > max) throw rangeError('ERR_OUT_OF_RANGE', `The value of "${name}" is out of range. It must be >= 0 && <= ${max}. Received ${value}`);
  return value;
};

/** The bytes of an ArrayBuffer or view, with Node's (offset, size) counted in the view's elements. */
const bytesOf = (buffer: unknown, offset: unknown, size: unknown): Uint8Array => {
  let whole: Uint8Array;
  let element = 1;
  if (buffer instanceof ArrayBuffer || (typeof SharedArrayBuffer === 'function' && buffer instanceof SharedArrayBuffer)) whole = new Uint8Array(buffer);
  else if (ArrayBuffer.isView(buffer)) {
    whole = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    element = (buffer as unknown as { BYTES_PER_ELEMENT?: number }).BYTES_PER_ELEMENT ?? 1;
  } else throw typeError('ERR_INVALID_ARG_TYPE', 'The "buf" argument must be an instance of ArrayBuffer or ArrayBufferView.');
  const start = offset === undefined ? 0 : checkSize('offset', offset, whole.byteLength / element) * element;
  const length = size === undefined ? whole.byteLength - start : checkSize('size', size, (whole.byteLength - start) / element) * element;
  return whole.subarray(start, start + length);
};

/** The module `require('crypto')` gives in a deterministic run, from the host's `real`. */
export const makeDeterministicCrypto = (real: Record<string, unknown>, random: SeededRandom, webcrypto: Record<string, unknown>, later: (run: () => void) => void): Record<string, unknown> => {
  const getRandomValues = makeGetRandomValues(random);

  const randomBytes = (size: unknown, callback?: unknown): Buffer | undefined => {
    const done = checkCallback(callback);
    const bytes = Buffer.alloc(checkSize('size', size, MAX_RANDOM_BYTES));
    random.fill(bytes);
    if (done === undefined) return bytes;
    later(() => done(null, bytes));
    return undefined;
  };

  const randomFillSync = <T>(buffer: T, offset?: number, size?: number): T => {
    random.fill(bytesOf(buffer, offset, size));
    return buffer;
  };

  const randomFill = (buffer: unknown, ...rest: unknown[]): void => {
    const done = checkCallback(rest.pop());
    if (done === undefined) throw typeError('ERR_INVALID_ARG_TYPE', 'The "callback" argument must be of type function. Received undefined');
    random.fill(bytesOf(buffer, rest[0], rest[1]));
    later(() => done(null, buffer));
  };

  const randomInt = (first: unknown, second?: unknown, third?: unknown): number | undefined => {
    const minGiven = !(second === undefined || typeof second === 'function');
    const min = minGiven ? first : 0;
    const max = minGiven ? second : first;
    const done = checkCallback(minGiven ? third : second);
    if (!Number.isSafeInteger(min)) throw typeError('ERR_INVALID_ARG_TYPE', `The "min" argument must be a safe integer. Received ${String(min)}`);
    if (!Number.isSafeInteger(max)) throw typeError('ERR_INVALID_ARG_TYPE', `The "max" argument must be a safe integer. Received ${String(max)}`);
    const low = min as number;
    const high = max as number;
    if (high <= low) throw rangeError('ERR_OUT_OF_RANGE', `The value of "max" is out of range. It must be greater than the value of "min" (${low}). Received ${high}`);
    if (high - low > MAX_RANGE) throw rangeError('ERR_OUT_OF_RANGE', `The value of "max - min" is out of range. It must be <= ${MAX_RANGE}. Received ${high - low}`);
    const value = random.nextInt(low, high);
    if (done === undefined) return value;
    later(() => done(null, value));
    return undefined;
  };

  const own = { randomUUID(): string { return random.uuid(); } };

  const module: Record<string, unknown> = Object.create(Object.getPrototypeOf(real));
  for (const [key, descriptor] of Object.entries(Object.getOwnPropertyDescriptors(real))) {
    Object.defineProperty(module, key, { ...descriptor, configurable: true });
  }
  const replacements: Record<string, unknown> = {
    randomBytes, randomFill, randomFillSync, randomInt, randomUUID: own.randomUUID, getRandomValues, webcrypto,
  };
  // Old aliases of randomBytes, where this Node still has them.
  for (const alias of ['pseudoRandomBytes', 'prng', 'rng']) {
    if (alias in real) replacements[alias] = randomBytes;
  }
  for (const [key, value] of Object.entries(replacements)) {
    Object.defineProperty(module, key, { value, writable: true, enumerable: true, configurable: true });
  }
  return Object.freeze(module);
};
