/**
 * Exit modules: host modules handed into compartments. A host namespace (what `import('node:fs')`
 * gives, or any object) becomes a virtual module source whose named exports are its own string keys
 * and whose default export is its `default` if it has one (Node's builtins do) or else the object
 * itself, so that `import fs from 'fs'`, `import { readFile } from 'fs'` and `require('fs')` all work
 * as in Node.
 */
import { markRequireReturnsDefault, type VirtualModuleSource } from '../model/index.js';

export const makeExitModuleSource = (namespace: object): VirtualModuleSource => {
  const names = Reflect.ownKeys(namespace).filter((key): key is string => typeof key === 'string' && key !== 'default');
  const source: Record<string, unknown> = namespace as Record<string, unknown>;
  const defaultValue = Object.hasOwn(namespace, 'default') ? source.default : namespace;
  return Object.freeze({
    imports: Object.freeze([]),
    exports: Object.freeze([...names, 'default']),
    execute(exportsTarget: Record<string, unknown>) {
      for (const name of names) exportsTarget[name] = source[name];
      exportsTarget.default = defaultValue;
      markRequireReturnsDefault(exportsTarget);
    },
  });
};
