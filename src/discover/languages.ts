/**
 * Which language each file extension of a package is parsed as. Layers, later winning:
 * the base table (TypeScript: `.mts` → `mts`, `.cts` → `cts`, `.ts` and `.tsx` by the package's `type`,
 * as Node; `compile/typescript.ts`); `languageForExtension`; `.js` by the package's `type` (Node:
 * `module` → ESM, else CommonJS; the `module` field does not count, where Endo makes it switch every
 * `.js` to ESM); `moduleLanguageForExtension` or `commonjsLanguageForExtension` by the package's type; for packages
 * outside `node_modules` (workspaces) the three `workspace…` options; finally the package's own
 * `parsers` field.
 */
import { CordonError } from '../diagnostics/index.js';
import type { Language, PackageDescriptor } from '../model/index.js';

export type LanguageForExtension = Readonly<Record<string, Language>>;

export interface LanguageOptions {
  readonly languageForExtension?: LanguageForExtension | undefined;
  readonly moduleLanguageForExtension?: LanguageForExtension | undefined;
  readonly commonjsLanguageForExtension?: LanguageForExtension | undefined;
  readonly workspaceLanguageForExtension?: LanguageForExtension | undefined;
  readonly workspaceModuleLanguageForExtension?: LanguageForExtension | undefined;
  readonly workspaceCommonjsLanguageForExtension?: LanguageForExtension | undefined;
  /** Languages besides the built-in ones that `parsers` fields may name. */
  readonly languages?: Iterable<string> | undefined;
}

export const BUILTIN_LANGUAGES: readonly string[] = ['mjs', 'cjs', 'json', 'text', 'bytes', 'pre-mjs-json', 'pre-cjs-json', 'mts', 'cts'];

// TypeScript as Node takes it: `.mts` is an ES module, `.cts` CommonJS, `.ts` (and `.tsx`) by the type.
const BASE: LanguageForExtension = { mjs: 'mjs', cjs: 'cjs', json: 'json', text: 'text', bytes: 'bytes', mts: 'mts', cts: 'cts' };

/** The extension → language table of one package. */
export const parsersForPackage = (
  descriptor: PackageDescriptor,
  location: string,
  options: LanguageOptions,
  descriptorFile: string,
): Record<string, Language> => {
  const isModule = descriptor.type === 'module';
  const isWorkspace = !location.includes('/node_modules/');
  const table: Record<string, Language> = {
    ...BASE,
    ts: isModule ? 'mts' : 'cts',
    tsx: isModule ? 'mts' : 'cts',
    ...options.languageForExtension,
    js: isModule ? 'mjs' : 'cjs',
    ...(isModule ? options.moduleLanguageForExtension : options.commonjsLanguageForExtension),
  };
  if (isWorkspace) {
    Object.assign(table, options.workspaceLanguageForExtension, isModule ? options.workspaceModuleLanguageForExtension : options.workspaceCommonjsLanguageForExtension);
  }
  if (descriptor.parsers) {
    const known = new Set([...BUILTIN_LANGUAGES, ...(options.languages ?? [])]);
    for (const [extension, language] of Object.entries(descriptor.parsers)) {
      if (!known.has(language)) {
        throw new CordonError('CORDON_INVALID_PACKAGE_JSON', `"parsers" maps .${extension} to ${JSON.stringify(language)}, which is not a known language (${[...known].join(', ')})`, {
          file: descriptorFile,
          package: descriptor.name,
        });
      }
      table[extension] = language;
    }
  }
  return table;
};

/** The language `.js` files take under a package.json with this `type`. */
export const jsLanguageOfType = (type: PackageDescriptor['type']): Language => (type === 'module' ? 'mjs' : 'cjs');
