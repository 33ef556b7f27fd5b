/**
 * The lockdown bundles (`cordon/lockdown-bundle.js`): a `nestedEvaluate` bundle of `ses`, locked down,
 * with a console whose object inspector runs in a Compartment of its own (`lockdown/` at the package
 * root is its entry), as `@agoric/xsnap-lockdown` provides one for xsnap workers.
 *
 * The bundles are built at package build time (`scripts/build-lockdown.mjs`) and shipped as
 * `bundles/*.json`; this module reaches them as JSON modules of the package (import attributes), with no
 * file system power: they are part of the package the way its code is. `bundles/` is two folders up
 * from here both in `src/pack/` and in `dist/pack/`, so the specifier is the same in both; it is not
 * a literal, so tsc does not pull the JSON into the program (it lies outside `rootDir`).
 *
 * Unlike the incumbent's, these functions answer at once (not with promises); `await` on them works
 * the same.
 */
import type { NestedEvaluateBundle } from '../model/index.js';

export interface LockdownBundle extends NestedEvaluateBundle {
  readonly moduleFormat: 'nestedEvaluate';
  readonly source: string;
  readonly sourceMap: string;
}

/** `bundles/lockdown.lock.json`: what the bundles were built from and their SHA-256. */
export interface LockdownBundleLock {
  readonly lock: string;
  readonly inputs: {
    readonly ses: string;
    readonly packages: Readonly<Record<string, string>>;
    readonly entries: Readonly<Record<string, string>>;
    readonly options: Readonly<Record<string, unknown>>;
    readonly files: Readonly<Record<string, string>>;
  };
  readonly bundler: { readonly cordon: string; readonly sources: string };
  readonly outputs: Readonly<Record<string, { readonly sha256: string; readonly bytes: number }>>;
}

const load = async <T>(file: string): Promise<T> => {
  const specifier = new URL(`../../bundles/${file}`, import.meta.url).href;
  const namespace = (await import(specifier, { with: { type: 'json' } })) as { default: T };
  return namespace.default;
};

const deepFreeze = <T>(value: T): T => {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
};

const [bundle, debugBundle, lock] = await Promise.all([
  load<LockdownBundle>('lockdown.json'),
  load<LockdownBundle>('lockdown-debug.json'),
  load<LockdownBundleLock>('lockdown.lock.json'),
]).then(values => values.map(deepFreeze) as [LockdownBundle, LockdownBundle, LockdownBundleLock]);

/** The lockdown bundle: `{ moduleFormat: 'nestedEvaluate', source, sourceMap }`, frozen. */
export const getLockdownBundle = (): LockdownBundle => bundle;

/** The debug variant (errorTaming 'unsafe', overrideTaming 'min'); other bytes. */
export const getDebugLockdownBundle = (): LockdownBundle => debugBundle;

/** Hex SHA-256 of `JSON.stringify(getLockdownBundle())`: the `sha256sum` of `bundles/lockdown.json`. */
export const getLockdownBundleSHA256 = (): string => lock.outputs['lockdown.json']!.sha256;

/** Hex SHA-256 of the debug bundle's JSON. */
export const getDebugLockdownBundleSHA256 = (): string => lock.outputs['lockdown-debug.json']!.sha256;

/** The lock the bundles were built under: ses's version, each bundled file's SHA-256, the outputs. */
export const getLockdownBundleLock = (): LockdownBundleLock => lock;
