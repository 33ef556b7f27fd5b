/**
 * The program SES runs for a compiled module, and the record around it. The program is
 * `(function ({imports, liveVar, onceVar, import, importMeta}) { helpers; body })`, destructuring only the
 * parameters the module uses; everything added before the module's text goes on line 1. The body
 * takes one of three forms (see docs/ARCHITECTURE.md, "Top-level await"):
 *
 * - a module without imports: `(function () { … })()`;
 * - a module with imports: a generator, `function* () { hoisted; if (imports(…)) yield; … }`, run
 *   at once. SES's `imports` returns nothing, so under SES alone it runs straight through; Cordon's
 *   evaluator returns `true` when a dependency is still evaluating asynchronously, and resumes the
 *   generator (synchronously, as the spec runs such a module) once it is done;
 * - a module with top-level `await`: `return (async function () { hoisted; const p = imports(…);
 *   if (p) await p; … })()`; Cordon's evaluator gives `p` when the module must wait, and settles it
 *   when the module's turn comes.
 */
import type { PrecompiledModuleSource } from '../../model/index.js';
import type { ModuleShape } from './shape.js';
import { safeString } from './syntax.js';

export interface ProgramParts {
  readonly shape: ModuleShape;
  readonly prefix: string;
  /** `name=value` definitions of the outer `const` (helpers, template objects). */
  readonly helpers: string[];
  /** Extra outer `let` names. */
  readonly lets: string[];
  /** Code at the start of the module's function, after the imports are wired. */
  readonly inner: string[];
  readonly writtenImports: ReadonlySet<string>;
  readonly uses: { live: boolean; once: boolean; import: boolean; meta: boolean };
  /** The module awaits at its top level. */
  readonly topLevelAwait?: boolean;
}

export type ProgramForm = 'plain' | 'gated' | 'async';

export const programForm = (parts: Pick<ProgramParts, 'shape' | 'topLevelAwait'>): ProgramForm =>
  parts.topLevelAwait ? 'async' : parts.shape.imports.length > 0 ? 'gated' : 'plain';

/** The text before the module's own (spliced) text. */
export const programHeader = (parts: ProgramParts): string => {
  const { shape, prefix, inner } = parts;
  const helpers = [...parts.helpers];
  const { importBindings, importNames } = shape;
  const importRecord: string[] = [];
  for (const specifier of shape.imports) {
    const names: string[] = [];
    for (const [importName, locals] of importNames.get(specifier)!) {
      let updaters = '';
      for (let i = 0; i < locals.length; i += 1) updaters += `${i === 0 ? '' : ','}v=>{${prefix}v_${locals[i]}=v}`;
      names.push(`[${safeString(importName)},[${updaters}]]`);
    }
    importRecord.push(`[${safeString(specifier)},[${names.join(',')}]]`);
  }
  const form = programForm(parts);
  const importCall = `${prefix}imports([${importRecord.join(',')}])`;
  const body =
    form === 'plain'
      ? `${inner.join('')}${importCall};`
      : form === 'gated'
        ? `${inner.join('')}if(${importCall})yield;`
        : `${inner.join('')}const ${prefix}p=${importCall};if(${prefix}p)await ${prefix}p;`;

  const lets = [...parts.lets];
  if (importBindings.size > 0) {
    helpers.push(
      `${prefix}T={}`,
      `${prefix}tdz=n=>{throw new ReferenceError("Cannot access imported binding '"+n+"' before initialization")}`,
    );
    for (const local of importBindings.keys()) {
      helpers.push(`${prefix}g_${local}=()=>${prefix}v_${local}===${prefix}T?${prefix}tdz(${safeString(local)}):${prefix}v_${local}`);
      lets.push(`${prefix}v_${local}=${prefix}T`);
    }
    if (parts.writtenImports.size > 0) {
      helpers.push(`${prefix}ro=n=>{throw new TypeError("Assignment to constant variable '"+n+"' (an imported binding)")}`);
      const accessors = [...parts.writtenImports].map(local => `get ${local}(){return ${prefix}g_${local}()},set ${local}(_){${prefix}ro(${safeString(local)})}`);
      helpers.push(`${prefix}i={__proto__:null,${accessors.join(',')}}`);
    }
  }
  // `const` helpers come first: the `let`s may use the sentinel.
  const declarations = `${helpers.length > 0 ? `const ${helpers.join(',')};` : ''}${lets.length > 0 ? `let ${lets.join(',')};` : ''}`;
  const parameters = [`imports:${prefix}imports`];
  if (parts.uses.live) parameters.push(`liveVar:${prefix}live`);
  if (parts.uses.once) parameters.push(`onceVar:${prefix}once`);
  if (parts.uses.import) parameters.push(`import:${prefix}import`);
  if (parts.uses.meta) parameters.push(`importMeta:${prefix}meta`);
  const start = form === 'plain' ? '(function(){' : form === 'gated' ? `const ${prefix}gen=(function*(){` : 'return(async function(){';
  // A parenthesised function expression, not an arrow: V8 compiles it at once (an arrow's body would be
  // pre-parsed when SES evaluates the program and parsed again when SES calls it: a fifth more time).
  return `(function({${parameters.join(',')}}){${declarations}${start}'use strict';${body}`;
};

/** The text after the module's own text, for each form of program. */
export const programFooter = (form: ProgramForm, prefix: string): string =>
  form === 'plain' ? '\n})()})' : form === 'gated' ? `\n})();${prefix}gen.next();return ${prefix}gen})` : '\n})()})';

/**
 * Tables keyed by export names and specifiers start with no prototype, which the engine keeps as a
 * dictionary: filling them makes no hidden class per key set (thousands across a package); they
 * are given the ordinary prototype once filled, and stay dictionaries.
 */
export const nameTable = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;
const plainObject = <T extends object>(table: T): T => Object.setPrototypeOf(table, Object.prototype) as T;

/** The precompiled module source record SES takes. */
export const moduleRecord = (shape: ModuleShape, program: string, needsImport: boolean, needsImportMeta: boolean, topLevelAwait = false): PrecompiledModuleSource => {
  const liveExportMap = nameTable<[string, boolean]>();
  const fixedExportMap = nameTable<[string]>();
  for (const entry of shape.exportedLocals.values()) {
    for (const name of entry.names) {
      if (entry.live) liveExportMap[name] = [entry.local, false];
      else fixedExportMap[name] = [entry.local];
    }
  }
  return {
    imports: shape.imports,
    exports: [...shape.exportNames].sort(),
    reexports: shape.reexports.sort(),
    __syncModuleProgram__: program,
    __liveExportMap__: plainObject(liveExportMap),
    __reexportMap__: plainObject(shape.reexportMap),
    __fixedExportMap__: plainObject(fixedExportMap),
    __needsImport__: needsImport,
    __needsImportMeta__: needsImportMeta,
    ...(topLevelAwait ? { __cordonTopLevelAwait__: true } : {}),
  };
};
