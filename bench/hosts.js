// How the benchmarks call Cordon and Endo as Endo's users do: Node's builtins through an importHook,
// archives at a memory: location.
import { builtinModules, createRequire } from 'node:module';

export const ARCHIVE_LOCATION = 'memory:app.zip';

/** Node's builtins as Endo's `importHook` gives them: a module whose default is the builtin and whose names are its keys. */
export const builtinImportHook = () => {
  const require = createRequire(import.meta.url);
  const names = new Set(builtinModules.flatMap(name => [name, `node:${name}`]));
  const sources = new Map();
  return async specifier => {
    if (!names.has(specifier)) return undefined;
    let source = sources.get(specifier);
    if (!source) {
      const namespace = require(specifier.startsWith('node:') ? specifier : `node:${specifier}`);
      const keys = Object.keys(namespace).filter(key => key !== 'default');
      source = Object.freeze({
        imports: [],
        exports: [...keys, 'default'],
        execute: exports => {
          for (const key of keys) exports[key] = namespace[key];
          exports.default = namespace;
        },
      });
      sources.set(specifier, source);
    }
    return source;
  };
};
