/**
 * Seeded randomness for `--deterministic` runs: xoshiro128** (Blackman and Vigna's 32-bit
 * generator: four 32-bit words of state, period 2^128 − 1), its state filled by splitmix32 from a
 * 32-bit hash of the seed's text. Not for cryptography: a deterministic run's `crypto.randomBytes` is
 * reproducible on purpose.
 */

/** A seed as the CLI (`--deterministic=SEED`) or an API caller gives it; `42` and `'42'` are the same seed. */
export type DeterministicSeed = string | number | bigint;

/** One seeded stream of random numbers. */
export interface SeededRandom {
  /** The next 32-bit unsigned integer. */
  nextUint32(): number;
  /** A float in [0, 1) with 53 random bits (what `Math.random()` returns). */
  nextFloat(): number;
  /** Fills `bytes` with random bytes. */
  fill(bytes: Uint8Array): Uint8Array;
  /** An integer in [min, max) (`max − min` at most 2^48), without modulo bias. */
  nextInt(min: number, max: number): number;
  /** An RFC 9562 version 4 UUID in its lower-case text form. */
  uuid(): string;
}

/** A 32-bit hash of text (each UTF-16 unit mixed in by multiply and xor-shift, then finalized). */
const hashText = (text: string): number => {
  let h = 0x9e3779b9 ^ text.length;
  for (let i = 0; i < text.length; i += 1) {
    h = Math.imul(h ^ text.charCodeAt(i), 0x85ebca6b);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
};

/** splitmix32: spreads one 32-bit value into a sequence of well-mixed words, for the generator's state. */
const splitmix32 = (seed: number): (() => number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) >>> 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return (z ^ (z >>> 15)) >>> 0;
  };
};

const rotl = (x: number, k: number): number => ((x << k) | (x >>> (32 - k))) >>> 0;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * The stream for `seed` and `purpose` (`math`, `crypto` …): each purpose has its own stream, so the
 * numbers `Math.random()` gives do not depend on how many random bytes `crypto` was asked for.
 */
export const makeSeededRandom = (seed: DeterministicSeed, purpose = ''): SeededRandom => {
  const next32 = splitmix32(hashText(`${String(seed)}\u0000${purpose}`));
  let s0 = next32();
  let s1 = next32();
  let s2 = next32();
  let s3 = next32();
  // The all-zero state is the one state xoshiro never leaves.
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;

  const nextUint32 = (): number => {
    const result = Math.imul(rotl(Math.imul(s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (s1 << 9) >>> 0;
    s2 = (s2 ^ s0) >>> 0;
    s3 = (s3 ^ s1) >>> 0;
    s1 = (s1 ^ s2) >>> 0;
    s0 = (s0 ^ s3) >>> 0;
    s2 = (s2 ^ t) >>> 0;
    s3 = rotl(s3, 11);
    return result;
  };

  const nextFloat = (): number => {
    // 21 high bits of one word and 32 of the next: 53 bits, as a double holds them.
    const high = nextUint32() >>> 11;
    const low = nextUint32();
    return (high * 0x100000000 + low) / 2 ** 53;
  };

  const fill = (bytes: Uint8Array): Uint8Array => {
    let word = 0;
    for (let i = 0; i < bytes.length; i += 1) {
      if ((i & 3) === 0) word = nextUint32();
      bytes[i] = (word >>> ((i & 3) * 8)) & 0xff;
    }
    return bytes;
  };

  const nextInt = (min: number, max: number): number => {
    const range = max - min;
    // 48 random bits; values past the last whole multiple of `range` are drawn again (no modulo bias).
    const limit = 2 ** 48 - (2 ** 48 % range);
    for (;;) {
      const value = (nextUint32() >>> 16) * 0x100000000 + nextUint32();
      if (value < limit) return min + (value % range);
    }
  };

  const uuid = (): string => {
    const b = fill(new Uint8Array(16));
    b[6] = (b[6]! & 0x0f) | 0x40;
    b[8] = (b[8]! & 0x3f) | 0x80;
    const h = (i: number): string => HEX[b[i]!]!;
    return `${h(0)}${h(1)}${h(2)}${h(3)}-${h(4)}${h(5)}-${h(6)}${h(7)}-${h(8)}${h(9)}-${h(10)}${h(11)}${h(12)}${h(13)}${h(14)}${h(15)}`;
  };

  return Object.freeze({ nextUint32, nextFloat, fill, nextInt, uuid });
};
