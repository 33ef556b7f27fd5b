/**
 * Host modules (exits) as the loader asks for them: `modules` first (by name), then `importHook`
 * (async) or `importNowHook` (sync). Each specifier is asked of the host once per application, and its
 * module is instantiated once, in one host-modules compartment that every package compartment links to
 * (`{ namespace, compartment }`), so every package that imports `fs` shares one instance, as in Node
 * and Endo. The host's descriptor is first loaded as given (any SES descriptor or module source), then
 * handed on in Node's shape (see endow/exits.ts). With `archiveOnly`, nothing runs: an exit that exists
 * is a placeholder. Under a policy, `viewFor` gives each package its own view of the module (its
 * private copy, or only the granted members): the host is still asked once, the view is made once per
 * package, and what a package writes into its view no other package sees.
 */
import { CordonError } from '../diagnostics/index.js';
import { makeExitModuleSource, moduleExportsOfHostNamespace } from '../endow/index.js';
import type { CompartmentConstructor, CompartmentInstance, ImportHook, ImportNowHook } from './link.js';

type Found = { readonly descriptor: object | undefined };

const hostPrefix = 'host:';
const shapedPrefix = 'node-shaped:';

/** A descriptor whose namespace is an object (not another compartment's module): used as is. */
const plainNamespaceOf = (descriptor: object): object | undefined => {
  if (!('namespace' in descriptor) || 'compartment' in descriptor) return undefined;
  const namespace = (descriptor as { namespace: unknown }).namespace;
  return namespace !== null && (typeof namespace === 'object' || typeof namespace === 'function') ? namespace : undefined;
};

export const makeExitProvider = (
  modules: Readonly<Record<string, object>>,
  importHook: ImportHook | undefined,
  importNowHook: ImportNowHook | undefined,
  archiveOnly = false,
  findCompartment: () => CompartmentConstructor = () => (globalThis as { Compartment?: CompartmentConstructor }).Compartment!,
  viewFor?: (specifier: string, packageLocation: string, moduleExports: unknown) => unknown,
) => {
  const placeholder = { source: Object.freeze({ imports: [], exports: [], execute() { throw new CordonError('CORDON_INVALID_ARGUMENT', 'An application loaded to be archived cannot run'); } }) };
  /** specifier → what the host gave (or the promise of it) */
  const asked = new Map<string, Found | Promise<Found>>();
  /** `host:<specifier>` → the host's descriptor; `node-shaped:<specifier>` → the module source packages link to */
  const records = new Map<string, unknown>();
  let hostCompartment: CompartmentInstance | undefined;
  const compartment = (): CompartmentInstance => {
    if (!hostCompartment) {
      const Compartment = findCompartment();
      const lookup = (specifier: string): unknown => {
        if (!records.has(specifier)) throw new CordonError('CORDON_HOST_MODULE_NOT_FOUND', `No host module ${JSON.stringify(specifier)}`, { specifier });
        return records.get(specifier);
      };
      hostCompartment = new Compartment({
        __options__: true,
        name: 'host modules',
        resolveHook: (specifier: string) => specifier,
        importHook: async (specifier: string) => lookup(specifier),
        importNowHook: lookup,
        __noNamespaceBox__: true,
      });
    }
    return hostCompartment;
  };

  /** specifier → the host's namespace, for the per-package views */
  const namespaces = new Map<string, object>();
  const perPackage = new Map<string, object>();
  const linkTo = (specifier: string, namespace: object): object => {
    namespaces.set(specifier, namespace);
    records.set(`${shapedPrefix}${specifier}`, { source: makeExitModuleSource(namespace) });
    return { namespace: `${shapedPrefix}${specifier}`, compartment: compartment() };
  };

  /** The host's own descriptor → the descriptor a package compartment gets. */
  const shape = (specifier: string, descriptor: object, sync: boolean): object | Promise<object> => {
    const plain = plainNamespaceOf(descriptor);
    if (plain) return linkTo(specifier, plain);
    records.set(`${hostPrefix}${specifier}`, descriptor);
    if (sync) return linkTo(specifier, compartment().importNow(`${hostPrefix}${specifier}`) as object);
    return compartment().import(`${hostPrefix}${specifier}`).then(namespace => linkTo(specifier, namespace as object));
  };

  const ask = (specifier: string, packageLocation: string, sync: boolean): Found | Promise<Found> => {
    if (Object.hasOwn(modules, specifier)) return { descriptor: archiveOnly ? placeholder : linkTo(specifier, modules[specifier]!) };
    // URL-scheme specifiers are exits by definition: an archive records nothing for them.
    if (archiveOnly && /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(specifier)) return { descriptor: placeholder };
    const hook = sync ? importNowHook : (importHook ?? importNowHook);
    const given = hook?.(specifier, packageLocation);
    const settle = (descriptor: unknown): Found | Promise<Found> => {
      if (descriptor === undefined || descriptor === null) return { descriptor: undefined };
      if (typeof descriptor !== 'object') {
        throw new CordonError('CORDON_INVALID_ARGUMENT', `The host's import hook gave ${typeof descriptor} for ${JSON.stringify(specifier)}; it must give a module descriptor (e.g. { namespace }) or undefined`, { specifier });
      }
      if (archiveOnly) return { descriptor: placeholder };
      const shaped = shape(specifier, descriptor, sync);
      return shaped instanceof Promise ? shaped.then(d => ({ descriptor: d })) : { descriptor: shaped };
    };
    return given instanceof Promise ? given.then(settle) : settle(given);
  };

  /** The package's own descriptor (its view), or the shared one when the policy leaves it unrestricted. */
  const viewed = (specifier: string, packageLocation: string, shared: unknown): unknown => {
    const namespace = namespaces.get(specifier);
    if (!viewFor || shared === undefined || namespace === undefined) return shared;
    const key = `${packageLocation}\u0000${specifier}`;
    const known = perPackage.get(key);
    if (known) return known;
    const moduleExports = moduleExportsOfHostNamespace(namespace);
    const view = viewFor(specifier, packageLocation, moduleExports);
    if (view === moduleExports) {
      perPackage.set(key, shared as object);
      return shared;
    }
    // A view object's own keys are its named exports; anything else is only a default export.
    records.set(`policy:${key}`, { source: makeExitModuleSource(view !== null && typeof view === 'object' ? view : { default: view }) });
    const descriptor = { namespace: `policy:${key}`, compartment: compartment() };
    perPackage.set(key, descriptor);
    return descriptor;
  };

  return (specifier: string, packageLocation: string, sync: boolean): unknown => {
    let found = asked.get(specifier);
    if (found === undefined) {
      found = ask(specifier, packageLocation, sync);
      asked.set(specifier, found);
      if (found instanceof Promise) {
        found.then(
          settled => asked.set(specifier, settled),
          () => asked.delete(specifier),
        );
      }
    } else if (found instanceof Promise && sync) {
      throw new CordonError('CORDON_DYNAMIC_REQUIRE_UNAVAILABLE', `Host module ${JSON.stringify(specifier)} is still being loaded by the async importHook; it cannot be required synchronously yet`, { specifier });
    }
    return found instanceof Promise ? found.then(f => viewed(specifier, packageLocation, f.descriptor)) : viewed(specifier, packageLocation, found.descriptor);
  };
};
