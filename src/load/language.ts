/**
 * A module's language, as Node decides it: the compartment map's `types`, then for `.js` (and
 * extensionless) files the `type` of the nearest package.json between the module and its package root
 * (read once per folder), then the package's extension table and the parsers Cordon knows. An
 * *ambiguous* file — `.js` or extensionless, whose nearest package.json has no `type` — holding ES
 * module syntax (`import`/`export` statements, as Node's CommonJS lexer reports them) is an ES module,
 * as Node ≥ 20.19 detects it. TypeScript follows Node too: `.mts` is an ES module, `.cts` CommonJS,
 * and `.ts`/`.tsx` go by the same package scope as `.js` (`mts` or `cts`), an ambiguous one detected on
 * its stripped text (so `import type` alone does not make a module).
 */
import { hasModuleSyntax, isStrippingParser, loadTypeScriptStripper, stripTypeScript, typeScriptStripperReady } from '../compile/index.js';
import { CordonError } from '../diagnostics/index.js';
import type { PackageCompartmentDescriptor, ParserForLanguage } from '../model/index.js';
import type { Loader } from './trampoline.js';

export interface LanguageContext {
  readonly parsers: () => ParserForLanguage;
  /** folder URL → the `type` of its nearest package.json (`null`: none before the package root) */
  readonly scopeTypes: Map<string, string | null>;
  /** Records a load failure (reported with the others) and returns it. */
  readonly note: (error: unknown) => unknown;
}

const decoder = new TextDecoder();

export const extensionOf = (path: string): string => {
  const base = path.slice(path.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1);
};

/** The loaders (by their language context) that have loaded CommonJS TypeScript, so have the stripper. */
const strippingLoaders = new WeakSet<LanguageContext>();

/**
 * A module's language: the map's `types`, Node's package scope for `.js` and `.ts`, the extension
 * table. The TypeScript stripper loads on first use (asynchronously); when:
 * - CommonJS TypeScript (`cts`) loads it before it is compiled, even when the compile cache will serve
 *   the module, and from then on the loader strips synchronously too (a dynamic `require`);
 * - an ES module's parser loads it only to strip (a warm compile cache never does);
 * - a synchronous load (a dynamic `require`) of TypeScript in a loader that has loaded no CommonJS
 *   TypeScript yet is refused (CORDON_DYNAMIC_REQUIRE_UNAVAILABLE), whether the stripper happens to be
 *   loaded or not: the answer depends on the application, never on the state of the cache.
 */
export function* languageOf(context: LanguageContext, descriptor: PackageCompartmentDescriptor, module: string, bytes?: Uint8Array): Loader<string> {
  const language = yield* chooseLanguage(context, descriptor, module, bytes);
  if ((language === 'mts' || language === 'cts') && !strippingLoaders.has(context) && isStrippingParser(context.parsers()[language])) {
    yield { wait: loadTypeScriptStripper, what: 'the TypeScript stripper to load', lazy: language === 'mts' };
    if (language === 'cts') strippingLoaders.add(context);
  }
  return language;
}

function* chooseLanguage(context: LanguageContext, descriptor: PackageCompartmentDescriptor, module: string, bytes?: Uint8Array): Loader<string> {
  const typed = descriptor.types[module];
  if (typed !== undefined) return typed;
  const extension = extensionOf(module);
  if (extension === 'js' || extension === '') {
    const scoped = yield* packageScopeType(context, descriptor, module);
    const language = scoped === 'module' ? 'mjs' : scoped !== null ? 'cjs' : (descriptor.parsers[extension] ?? descriptor.parsers.js ?? 'cjs');
    const ambiguous = scoped === 'none' || (scoped === null && descriptor.typeless === true && (descriptor.parsers[extension] ?? descriptor.parsers.js) === 'cjs');
    if (language === 'cjs' && ambiguous && bytes !== undefined && hasModuleSyntax(decoder.decode(bytes))) return 'mjs';
    return language;
  }
  const language = descriptor.parsers[extension];
  if ((extension === 'ts' || extension === 'tsx') && (language === undefined || language === 'mts' || language === 'cts')) {
    return yield* typeScriptLanguageOf(context, descriptor, module, language, bytes);
  }
  if (language !== undefined) return language;
  if (context.parsers()[extension]) return extension;
  throw context.note(
    new CordonError('CORDON_NO_PARSER', `No language for .${extension} files (module ${module} of package ${descriptor.label})`, {
      file: new URL(module, descriptor.location).href,
      package: descriptor.label,
    }),
  );
}

/** `.ts`/`.tsx` as `.js` is decided, in TypeScript's languages; an ambiguous file is stripped (the stripper loaded first) and detected. */
function* typeScriptLanguageOf(context: LanguageContext, descriptor: PackageCompartmentDescriptor, module: string, table: string | undefined, bytes: Uint8Array | undefined): Loader<string> {
  const scoped = yield* packageScopeType(context, descriptor, module);
  const byPackage = table ?? (descriptor.parsers.js === 'mjs' ? 'mts' : 'cts');
  const language = scoped === 'module' ? 'mts' : scoped !== null ? 'cts' : byPackage;
  const ambiguous = scoped === 'none' || (scoped === null && descriptor.typeless === true && byPackage === 'cts');
  if (language !== 'cts' || !ambiguous || bytes === undefined) return language;
  if (!typeScriptStripperReady()) yield { wait: loadTypeScriptStripper, what: 'the TypeScript stripper to load' };
  let text: string;
  try {
    text = stripTypeScript(decoder.decode(bytes), new URL(module, descriptor.location).href, bytes);
  } catch (error) {
    throw context.note(error);
  }
  return hasModuleSyntax(text) ? 'mts' : 'cts';
}

/** The `type` of the nearest package.json between the module and its package root (`'none'`: it has none), or `null`. */
function* packageScopeType(context: LanguageContext, descriptor: PackageCompartmentDescriptor, module: string): Loader<string | null> {
  const root = descriptor.location;
  const visited: string[] = [];
  let found: string | null = null;
  for (let dir = new URL('.', new URL(module, root)).href; dir !== root && dir.startsWith(root); dir = new URL('..', dir).href) {
    const known = context.scopeTypes.get(dir);
    if (known !== undefined) {
      found = known;
      break;
    }
    visited.push(dir);
    const bytes = yield { read: `${dir}package.json` };
    if (bytes !== undefined) {
      let type: unknown;
      try {
        type = JSON.parse(decoder.decode(bytes)).type;
      } catch {
        type = undefined;
      }
      found = type === 'module' ? 'module' : type === 'commonjs' ? 'commonjs' : 'none';
      break;
    }
  }
  for (const dir of visited) context.scopeTypes.set(dir, found);
  return found;
}
