// The ways Endo's users hand Node's builtins to an application, for the host-configuration tests:
// `modules`, `importHook`, `importNowHook`, both hooks, and `modules` with hooks. Each configuration
// counts how often the host is asked for each specifier.
import { builtinModules, createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const strip = specifier => (specifier.startsWith('node:') ? specifier.slice(5) : specifier);
const known = new Set(builtinModules.filter(name => !name.startsWith('node:')));

/** Namespaces of every builtin, read before lockdown (import() of a builtin needs no lockdown). */
export const loadBuiltinNamespaces = async () => {
  const namespaces = {};
  for (const name of known) namespaces[name] = await import(`node:${name}`);
  return namespaces;
};

/** Endo's own exit record: named exports are the namespace's keys, `default` the namespace (then overwritten by its `default`). */
const endoStyleRecord = namespace =>
  Object.freeze({
    imports: [],
    exports: Object.keys(namespace),
    execute: moduleExports => {
      moduleExports.default = namespace;
      Object.assign(moduleExports, namespace);
    },
  });

/** `name → { options, asked }` for each configuration. */
export const builtinHosts = namespaces => {
  const make = build => {
    const asked = new Map();
    const count = specifier => asked.set(specifier, (asked.get(specifier) ?? 0) + 1);
    return { options: build(count), asked };
  };
  const has = specifier => known.has(strip(specifier));
  const modulesOf = filter => {
    const modules = {};
    for (const name of known) if (filter(name)) for (const specifier of [name, `node:${name}`]) modules[specifier] = require(`node:${name}`);
    return modules;
  };
  const importHook = count => async specifier => {
    count(specifier);
    return has(specifier) ? { namespace: namespaces[strip(specifier)] } : undefined;
  };
  const importNowHook = count => specifier => {
    count(specifier);
    return has(specifier) ? endoStyleRecord(namespaces[strip(specifier)]) : undefined;
  };
  return {
    modules: make(() => ({ modules: modulesOf(() => true) })),
    importHook: make(count => ({ importHook: importHook(count) })),
    importNowHook: make(count => ({ importNowHook: importNowHook(count) })),
    'both hooks': make(count => ({ importHook: importHook(count), importNowHook: importNowHook(count) })),
    'modules + hooks': make(count => ({ modules: modulesOf(name => name === 'fs'), importHook: importHook(count), importNowHook: importNowHook(count) })),
  };
};
