/**
 * CommonJS → SES virtual module source.
 *
 * - Named exports are what Node offers an ESM importer: the names `cjs-module-lexer` finds (Node's own
 *   analyser), plus `default` (= `module.exports`), plus the names of modules re-exported with
 *   `module.exports = require(…)`, which the caller resolves (`reexportedNames`).
 * - Static requires (`require('literal')`) become `imports` so that they load before the module runs.
 *   They are found by a scan that over-approximates (a `require('x')` inside a comment or string counts
 *   too): extra entries cost a load and nothing else, since CommonJS imports are heuristic.
 * - The body is wrapped as `(function (require, exports, module, __filename, __dirname, import) { … \n})`:
 *   the first line holds the wrapper and the body's first line, so line numbers are kept, and the
 *   closing brace is on a line of its own, so a trailing `//` comment cannot swallow it.
 * - `require()` of a CommonJS (or JSON, text, bytes) module returns its `module.exports` (its default),
 *   of an ES module its namespace (as Node 22). `module.exports` replaced mid-cycle is seen at once.
 */
// The lexer compiles its WebAssembly on first use (not at import: an engine without WebAssembly, such
// as XS running Cordon's own archive reader, never lexes CommonJS source).
import { parse as lexCommonJs } from 'cjs-module-lexer';
import { CordonError } from '../diagnostics/index.js';
import { commonJsNamespaceHasModuleExports, evaluationOf, isEvaluatingAsync, requireAsyncModuleError, specNamespace, markRequireReturnsDefault, requireValue, type PrecompiledCjsRecord, type SesCompartmentLike, type VirtualModuleSource } from '../model/index.js';
import { assertUncensored, evadeCensorship, hasCensoredText, type TextSpan } from './censor.js';
import { parseScriptText, type Comment } from './parse.js';
import { Splicer } from './splice.js';


export interface CompiledCommonJs extends PrecompiledCjsRecord {
  /** Whether the body uses `import()` (the wrapper then takes a sixth parameter). */
  readonly needsImport: boolean;
  /** Literal specifiers of `import()` calls. */
  readonly dynamicImports: readonly string[];
}

// `require` as a call with one literal argument, not a property access (`x.require(…)`); a spread
// (`...require('./fs')`) is a call.
const requirePattern = /(?:(?<![\w$.])|(?<=\.\.\.))require\s*\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`([^`$\\]*)`)\s*\)/g;

const unescapeLiteral = (raw: string): string => {
  if (!raw.includes('\\')) return raw;
  try {
    return JSON.parse(`"${raw.replace(/\\'/g, "'").replace(/"/g, '\\"')}"`);
  } catch {
    return raw;
  }
};

const findRequires = (text: string): string[] => {
  const found = new Set<string>();
  for (const match of text.matchAll(requirePattern)) {
    const raw = match[1] ?? match[2] ?? match[3] ?? '';
    found.add(match[3] !== undefined ? raw : unescapeLiteral(raw));
  }
  return [...found];
};

const choosePrefix = (text: string): string => {
  for (let n = 0; ; n += 1) {
    const prefix = n === 0 ? '$cordon_' : `$cordon${n}_`;
    if (!text.includes(prefix)) return prefix;
  }
};

/**
 * The names a CommonJS module offers and the specifiers it re-exports through
 * `module.exports = require(…)`, as Node's lexer finds them (without compiling the module).
 */
export const exportsOfCommonJs = (text: string, sourceUrl?: string): { exports: string[]; reexports: string[] } => {
  try {
    return lexCommonJs(text, sourceUrl);
  } catch {
    // As Node: a module the lexer cannot read offers only its default export.
    return { exports: [], reexports: [] };
  }
};

/** Whether text holds ES module syntax (import/export statements), as Node's CommonJS lexer finds it. */
export const hasModuleSyntax = (text: string): boolean => {
  // Module syntax needs the word `import` or `export` (`exports` is not it): most CommonJS files have
  // neither, and are told apart by one scan instead of the lexer's (run for every such file, every run).
  if (!/\b(?:im|ex)port\b/.test(text)) return false;
  try {
    lexCommonJs(text);
    return false;
  } catch (error) {
    return (error as { code?: unknown }).code === 'ERR_LEXER_ESM_SYNTAX';
  }
};

/** Compiles CommonJS text into the `pre-cjs-json` shape (plus whether it uses `import()`). */
export const compileCommonJs = (text: string, sourceUrl?: string): CompiledCommonJs => {
  const { exports: exportNames, reexports } = exportsOfCommonJs(text, sourceUrl);
  const splicer = new Splicer(text);
  if (text.startsWith('#!')) splicer.replace(0, 2, '//');
  const prefix = choosePrefix(text);
  let needsImport = false;
  const dynamicImports: string[] = [];
  if (hasCensoredText(text)) {
    // Only now is a full parse worth it: to tell code from strings and comments, and to find `import()`.
    const { program, comments } = parseScriptText(text, sourceUrl);
    const spans: TextSpan[] = comments.map((comment: Comment) => ({
      start: comment.start,
      end: comment.end,
      kind: comment.type === 'HTMLOpen' || comment.type === 'HTMLClose' ? 'html-comment' : 'comment',
    }));
    collectLiterals(program, spans, node => {
      needsImport = true;
      if (node.source?.type === 'Literal' && typeof node.source.value === 'string') dynamicImports.push(node.source.value);
      splicer.replace(node.start, node.start + 'import'.length, `${prefix}import`);
    });
    evadeCensorship(text, spans, splicer, position => splicer.covers(position));
  }
  const parameters = `require, exports, module, __filename, __dirname${needsImport ? `, ${prefix}import` : ''}`;
  const source = `(function (${parameters}) { ${splicer.toString()}\n})\n`;
  assertUncensored(source, sourceUrl);
  const imports = findRequires(text);
  const exports = exportNames.filter(name => name !== 'default');
  exports.push('default');
  return { imports, exports, reexports, source, needsImport, dynamicImports };
};

interface AnyNode {
  type: string;
  start: number;
  end: number;
  [key: string]: any;
}

/** Strings, templates and regular expressions of a program; `onImport` sees each `import()`. */
const collectLiterals = (root: unknown, spans: TextSpan[], onImport: (node: AnyNode) => void): void => {
  const visit = (node: AnyNode): void => {
    if (node.type === 'Literal') {
      if (node.regex) spans.push({ start: node.start, end: node.end, kind: 'regex' });
      else if (typeof node.value === 'string') spans.push({ start: node.start, end: node.end, kind: 'string' });
      return;
    }
    if (node.type === 'TemplateElement') {
      spans.push({ start: node.start, end: node.end, kind: 'template' });
      return;
    }
    if (node.type === 'ImportExpression') onImport(node);
    for (const key in node) {
      const value = node[key];
      if (value === null || typeof value !== 'object') continue;
      if (Array.isArray(value)) {
        for (const child of value) if (child !== null && typeof child?.type === 'string') visit(child);
      } else if (typeof value.type === 'string') {
        visit(value);
      }
    }
  };
  visit(root as AnyNode);
};

/**
 * Rewrites text SES would reject (`import(`, `eval(`, HTML comment tokens) in an already compiled
 * program: a `pre-cjs-json` function expression or a `pre-mjs-json` functor written by a tool that does
 * not evade SES's censor (Endo's archives do not). Code keeps its meaning (see censor.ts).
 */
export const evadeCensoredProgram = (program: string, sourceUrl?: string): string => {
  if (!hasCensoredText(program)) return program;
  const { program: ast, comments } = parseScriptText(program, sourceUrl);
  const spans: TextSpan[] = comments.map((comment: Comment) => ({ start: comment.start, end: comment.end, kind: comment.type === 'HTMLOpen' || comment.type === 'HTMLClose' ? 'html-comment' : 'comment' }));
  const splicer = new Splicer(program);
  collectLiterals(ast, spans, () => {});
  evadeCensorship(program, spans, splicer, position => splicer.covers(position));
  const rewritten = splicer.toString();
  assertUncensored(rewritten, sourceUrl);
  return rewritten;
};

/** What a CommonJS module receives from whoever loads it. */
export interface CommonJsEnvironment {
  /** The module's own specifier in its compartment (for relative `require` and `import()`). */
  readonly specifier?: string | undefined;
  /** The location (URL) of the module, named in errors. */
  readonly location?: string | undefined;
  readonly filename?: string | undefined;
  readonly dirname?: string | undefined;
  /** Names of modules re-exported through `module.exports = require(…)`, offered as named exports. */
  readonly reexportedNames?: readonly string[] | undefined;
  /** Resolves a specifier that was not among the static requires (a dynamic `require`). */
  readonly resolve?: ((specifier: string, referrer: string | undefined) => string | undefined) | undefined;
  /** Resolves a specifier of a dynamic `import()` (ESM conditions); defaults to `resolve`. */
  readonly resolveImport?: ((specifier: string, referrer: string | undefined) => string | undefined) | undefined;
  /** Implements `require.resolve` (Node returns a file path). */
  readonly requireResolve?: ((specifier: string, options?: unknown) => string) | undefined;
  /** Whether the namespace has Node ≥ 23's `'module.exports'` export; defaults to what the running Node does. */
  readonly moduleExportsName?: boolean | undefined;
  /** `require.main`: the application's entry module; the entry registers its `module` here. */
  readonly main?: { module?: object | undefined; readonly isEntry: boolean } | undefined;
  /** What `require()` hands out of the module it loaded (under a policy: another package's exports as this package's view of them). */
  readonly requireView?: ((fullSpecifier: string, value: unknown) => unknown) | undefined;
}

/** Builds the SES virtual module source that runs a compiled CommonJS module. */
export const makeCommonJsModuleSource = (compiled: PrecompiledCjsRecord, environment: CommonJsEnvironment = {}): VirtualModuleSource => {
  const { specifier, location, filename, dirname, resolve, requireResolve, requireView } = environment;
  const resolveImport = environment.resolveImport ?? resolve;
  const withModuleExports = environment.moduleExportsName ?? commonJsNamespaceHasModuleExports;
  const exports = [...new Set([...compiled.exports, ...(environment.reexportedNames ?? []), 'default', ...(withModuleExports ? ['module.exports'] : [])])];
  const named = exports.filter(name => name !== 'default' && name !== 'module.exports');
  const takesImport = /^\(function \([^)]*,\s*\$cordon\d*_import\)/.test(compiled.source);

  const execute = (exportsTarget: Record<string, unknown>, compartment: SesCompartmentLike, resolvedImports: Record<string, string>): void => {
    const fullSpecifier = (request: string, resolver = resolve): string => {
      const full = resolvedImports[request] ?? resolver?.(request, specifier);
      if (full === undefined) {
        throw new CordonError('CORDON_REQUIRE_NOT_FOUND', `Cannot require ${JSON.stringify(request)}: it is not a static require of this module and no resolver was given`, {
          file: location ?? specifier,
          specifier: request,
        });
      }
      return full;
    };
    const require = (request: string): unknown => {
      if (typeof request !== 'string') throw new TypeError(`The "id" argument of require() must be a string, received ${typeof request}`);
      const full = fullSpecifier(request);
      const namespace = compartment.importNow(full);
      if (isEvaluatingAsync(namespace)) throw requireAsyncModuleError(request, location ?? specifier ?? "a CommonJS module");
      const value = requireValue(namespace);
      return requireView ? requireView(full, value) : value;
    };
    require.resolve = (request: string, options?: unknown): string => {
      if (!requireResolve) {
        throw new CordonError('CORDON_REQUIRE_NOT_FOUND', `Cannot resolve ${JSON.stringify(request)}: require.resolve needs a resolver from the loader`, {
          file: location ?? specifier,
          specifier: request,
          hint: 'Load the module through Cordon\'s loader (importLocation, loadLocation), which provides require.resolve.',
        });
      }
      return requireResolve(request, options);
    };
    require.cache = Object.create(null) as Record<string, unknown>;
    const mainHolder = environment.main;
    Object.defineProperty(require, 'main', { get: () => mainHolder?.module, enumerable: true });

    let moduleExports: unknown = {};
    const publish = (value: unknown): void => {
      exportsTarget.default = value;
      if (withModuleExports) exportsTarget['module.exports'] = value;
    };
    publish(moduleExports);
    markRequireReturnsDefault(exportsTarget);
    const module = {
      id: filename ?? location ?? specifier ?? '.',
      filename,
      path: dirname,
      loaded: false,
      children: [] as unknown[],
      paths: [] as string[],
      require,
      get exports(): unknown {
        return moduleExports;
      },
      set exports(value: unknown) {
        moduleExports = value;
        publish(value);
      },
    };
    if (mainHolder?.isEntry) mainHolder.module = module;
    const dynamicImport = async (request: string): Promise<unknown> => {
      const result = (await compartment.import(fullSpecifier(String(request), resolveImport))) as Record<PropertyKey, unknown>;
      const namespace = result[Symbol.toStringTag] === 'Module' ? result : result.namespace;
      // A module with top-level await: import() resolves once it has evaluated.
      await evaluationOf(namespace);
      return specNamespace(namespace);
    };

    let functor: (...args: unknown[]) => void;
    try {
      // Named after its file (its path, as Node names CommonJS frames), so that stacks and V8's call sites name it.
      const named = filename ?? location;
      functor = compartment.evaluate(named === undefined ? compiled.source : `${compiled.source}//# sourceURL=${named.replace(/[\r\n\u2028\u2029]/g, '')}\n`) as typeof functor;
    } catch (error) {
      throw syntaxErrorOf(error, compiled.source, location ?? specifier);
    }
    const args: unknown[] = [require, moduleExports, module, filename, dirname];
    if (takesImport) args.push(dynamicImport);
    Reflect.apply(functor, moduleExports, args);
    module.loaded = true;

    // Read the property, not the variable: a module may have redefined it (ansi-styles makes
    // `module.exports` a getter with Object.defineProperty).
    const value: unknown = module.exports;
    if (value !== moduleExports) {
      moduleExports = value;
      publish(value);
    }
    if (value !== null && (typeof value === 'object' || typeof value === 'function')) {
      for (const name of named) exportsTarget[name] = (value as Record<string, unknown>)[name];
    }
  };
  return Object.freeze({ imports: Object.freeze([...compiled.imports]), exports: Object.freeze(exports), reexports: Object.freeze([...compiled.reexports]), execute });
};

/** A SyntaxError from evaluating a CommonJS wrapper, located by parsing the text again. */
const syntaxErrorOf = (error: unknown, source: string, file: string | undefined): unknown => {
  if (!(error instanceof SyntaxError)) return error;
  const open = source.indexOf('{') + 1;
  const body = ' '.repeat(open) + source.slice(open, source.lastIndexOf('\n})'));
  try {
    parseScriptText(body, file);
  } catch (parseError) {
    return parseError;
  }
  return new CordonError('CORDON_SYNTAX_ERROR', `Cannot evaluate CommonJS module: ${error.message}`, { file, cause: error });
};
