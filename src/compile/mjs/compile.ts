/**
 * The ESM compiler: module text → SES precompiled module source (see docs/ARCHITECTURE.md,
 * "The ESM compiler"). The original text is kept and edited in place, so line N of the source is
 * line N of the program; everything the compiler adds to the start goes on line 1.
 *
 * The program is `({imports, liveVar, onceVar, import, importMeta}) => { helpers; (function () { … })() }`.
 * Imported bindings are read through per-binding getter functions that throw a ReferenceError until
 * the exporter has initialised them (TDZ) and, when assigned, through accessors that throw a TypeError.
 * Exported locals stay ordinary local variables: a fixed one is published once after its declaration,
 * a live one after its declaration and after every assignment.
 */
import { CordonError } from '../../diagnostics/index.js';
import { lineColumnOf, type PrecompiledModuleSource } from '../../model/index.js';
import { assertUncensored, evadeCensorship, hasCensoredText, type TextSpan } from '../censor.js';
import { parseModuleText } from '../parse.js';
import { Splicer, type SourceMapObject } from '../splice.js';
import { lineBreaksIn } from '../text-position.js';
import { ModuleWalker, RefKind, resolvesToModule, type Node } from './walk.js';

export interface CompileModuleOptions {
  /** Where the module comes from; named in errors and appended as `//# sourceURL=`. */
  sourceUrl?: string | undefined;
  /** A source map of the given text (object or JSON), composed into the one produced. */
  sourceMap?: SourceMapObject | string | undefined;
  /** The name the produced source map gives the original source. */
  sourceMapUrl?: string | undefined;
  /** Receives the produced source map; a map is made only when this is given. */
  sourceMapHook?: ((sourceMap: SourceMapObject, details: { sourceUrl?: string | undefined; sourceMapUrl?: string | undefined; source: string }) => void) | undefined;
}

type DeclarationKind = 'function' | 'var' | 'let' | 'const' | 'class' | 'default';

interface ImportBinding {
  readonly local: string;
  readonly specifier: string;
  readonly importName: string;
}

interface ExportedLocal {
  readonly local: string;
  readonly names: string[];
  kind: DeclarationKind;
  live: boolean;
}

/** What an `export default` needs beyond ordinary declarations. */
type DefaultExport =
  | { readonly form: 'anonymous-function'; readonly statement: Node; readonly declaration: Node }
  | { readonly form: 'expression'; readonly statement: Node; readonly declaration: Node; readonly named: boolean };

/** A JavaScript string literal for `value` that holds none of the characters SES's censor looks for. */
const safeString = (value: string): string =>
  /^[\w$@./-]*$/.test(value) ? `"${value}"` : JSON.stringify(value).replace(/[<>(]/g, c => `\\u00${c.charCodeAt(0).toString(16)}`);

const isAnonymousFunctionDefinition = (node: Node): boolean =>
  (node.type === 'FunctionExpression' || node.type === 'ClassExpression' || node.type === 'ClassDeclaration' || node.type === 'FunctionDeclaration') && !node.id
    ? true
    : node.type === 'ArrowFunctionExpression';

/** Skips whitespace and comments from `position`. */
const skipTrivia = (text: string, position: number): number => {
  let i = position;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      i += 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && !/[\n\r\u2028\u2029]/.test(text[i]!)) i += 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      return i;
    }
  }
};

/** The offset just after `export default` at the start of `statement`. */
const afterExportDefault = (text: string, statement: Node): number => {
  const d = skipTrivia(text, statement.start + 'export'.length);
  return d + 'default'.length;
};

/** The offset of the `(` that opens a function declaration's parameters. */
const parametersOpen = (text: string, declaration: Node): number => {
  let i = declaration.start;
  for (;;) {
    i = skipTrivia(text, i);
    if (text[i] === '(' || i >= text.length) return i;
    i += 1;
  }
};

/** Whether `text` holds the identifier `name` whole (not as the start of a longer one). */
const usesName = (text: string, name: string): boolean => {
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + 1)) {
    const next = text.charCodeAt(at + name.length);
    if (!(next === 36 || next === 95 || (next >= 48 && next <= 57) || (next >= 65 && next <= 90) || (next >= 97 && next <= 122) || next > 127)) return true;
  }
  return false;
};

const choosePrefix = (taken: readonly string[]): string => {
  for (let n = 0; ; n += 1) {
    const prefix = n === 0 ? '$cordon_' : `$cordon${n}_`;
    if (!taken.some(name => name.startsWith(prefix))) return prefix;
  }
};

/** The literal specifiers of a compiled module's `import()` calls (for archives, which must include them). */
const literalDynamicImports = new WeakMap<object, readonly string[]>();
export const dynamicImportsOf = (record: object): readonly string[] => literalDynamicImports.get(record) ?? [];

export const compileModule = (text: string, options: CompileModuleOptions = {}): PrecompiledModuleSource => {
  const file = options.sourceUrl;
  const censored = hasCensoredText(text);
  const { program, comments } = parseModuleText(text, file, censored);
  const body = program.body as unknown as Node[];
  const splicer = new Splicer(text);
  const fail = (message: string, node: Node): never => {
    const { line, column } = lineColumnOf(text, node.start);
    throw new CordonError('CORDON_SYNTAX_ERROR', message, { file, line, column });
  };

  // A shebang line becomes a comment of the same length.
  if (text.startsWith('#!')) splicer.replace(0, 2, '//');

  // ----- pass 1: the module's static shape -----------------------------------------------------
  const imports: string[] = [];
  const importNames = new Map<string, Map<string, string[]>>(); // specifier → importName → locals
  const importBindings = new Map<string, ImportBinding>();
  const reexports: string[] = [];
  const reexportMap: Record<string, [string, string][]> = {};
  const topLevel = new Map<string, DeclarationKind>();
  const exportSpecifiers: [local: string, exported: string][] = [];
  const exportNames = new Set<string>();
  const takenNames: string[] = [];
  let defaultExport: DefaultExport | null = null;

  const addSpecifier = (specifier: string): Map<string, string[]> => {
    let names = importNames.get(specifier);
    if (!names) {
      names = new Map();
      importNames.set(specifier, names);
      imports.push(specifier);
    }
    return names;
  };
  const addImportName = (specifier: string, importName: string, local?: string): void => {
    const names = addSpecifier(specifier);
    let locals = names.get(importName);
    if (!locals) names.set(importName, (locals = []));
    if (local !== undefined) locals.push(local);
  };
  const addExportName = (name: string, node: Node): void => {
    if (exportNames.has(name)) fail(`Duplicate export of ${JSON.stringify(name)}`, node);
    exportNames.add(name);
  };
  const nameOf = (node: Node): string => (node.type === 'Identifier' ? node.name : String(node.value));
  const removeStatement = (node: Node): void => splicer.replace(node.start, node.end, lineBreaksIn(text, node.start, node.end));
  const declareTopLevel = (node: Node): void => {
    switch (node.type) {
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          for (const name of boundNames(declarator.id)) topLevel.set(name, node.kind);
        }
        break;
      case 'FunctionDeclaration':
        if (node.id) topLevel.set(node.id.name, 'function');
        break;
      case 'ClassDeclaration':
        if (node.id) topLevel.set(node.id.name, 'class');
        break;
      default:
    }
  };

  for (const statement of body) {
    switch (statement.type) {
      case 'ImportDeclaration': {
        const specifier: string = statement.source.value;
        addSpecifier(specifier);
        for (const s of statement.specifiers) {
          const local: string = s.local.name;
          const importName = s.type === 'ImportDefaultSpecifier' ? 'default' : s.type === 'ImportNamespaceSpecifier' ? '*' : nameOf(s.imported);
          importBindings.set(local, { local, specifier, importName });
          addImportName(specifier, importName, local);
          if (local.charCodeAt(0) === 36 /* $ */) takenNames.push(local);
        }
        removeStatement(statement);
        break;
      }
      case 'ExportAllDeclaration': {
        const specifier: string = statement.source.value;
        addSpecifier(specifier);
        if (statement.exported) {
          const exported = nameOf(statement.exported);
          addExportName(exported, statement);
          (reexportMap[specifier] ??= []).push(['*', exported]);
        } else if (!reexports.includes(specifier)) {
          reexports.push(specifier);
        }
        removeStatement(statement);
        break;
      }
      case 'ExportNamedDeclaration':
        if (statement.source) {
          const specifier: string = statement.source.value;
          addSpecifier(specifier);
          for (const s of statement.specifiers) {
            const importName = nameOf(s.local);
            const exported = nameOf(s.exported);
            addExportName(exported, statement);
            addImportName(specifier, importName);
            (reexportMap[specifier] ??= []).push([importName, exported]);
          }
          removeStatement(statement);
        } else if (statement.declaration) {
          const declaration: Node = statement.declaration;
          declareTopLevel(declaration);
          for (const name of declaredNames(declaration)) {
            addExportName(name, statement);
            exportSpecifiers.push([name, name]);
          }
          splicer.replace(statement.start, declaration.start, lineBreaksIn(text, statement.start, declaration.start));
        } else {
          for (const s of statement.specifiers) {
            const exported = nameOf(s.exported);
            addExportName(exported, statement);
            exportSpecifiers.push([nameOf(s.local), exported]);
          }
          removeStatement(statement);
        }
        break;
      case 'ExportDefaultDeclaration': {
        const declaration: Node = statement.declaration;
        addExportName('default', statement);
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
          declareTopLevel(declaration);
          exportSpecifiers.push([declaration.id.name, 'default']);
          splicer.replace(statement.start, declaration.start, lineBreaksIn(text, statement.start, declaration.start));
        } else if (declaration.type === 'FunctionDeclaration') {
          defaultExport = { form: 'anonymous-function', statement, declaration };
        } else {
          defaultExport = { form: 'expression', statement, declaration, named: isAnonymousFunctionDefinition(declaration) };
        }
        break;
      }
      default:
        declareTopLevel(statement);
    }
  }
  for (const name of topLevel.keys()) if (name.charCodeAt(0) === 36 /* $ */) takenNames.push(name);

  // Exported locals, and imported bindings that are exported again (wired by SES as re-exports).
  const exportedLocals = new Map<string, ExportedLocal>();
  for (const [local, exported] of exportSpecifiers) {
    const binding = importBindings.get(local);
    if (binding) {
      (reexportMap[binding.specifier] ??= []).push([binding.importName, exported]);
      continue;
    }
    let entry = exportedLocals.get(local);
    if (!entry) {
      // Not declared at the top level: a `var` in a nested block (hoisted to the module).
      const kind = topLevel.get(local) ?? 'var';
      entry = { local, names: [], kind, live: kind === 'var' };
      exportedLocals.set(local, entry);
    }
    entry.names.push(exported);
  }

  // ----- pass 2: walk the code ------------------------------------------------------------------
  const candidates = new Set<string>([...importBindings.keys(), ...exportedLocals.keys()]);
  const walker = new ModuleWalker(candidates, censored);
  for (const statement of body) {
    switch (statement.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
        break;
      case 'ExportNamedDeclaration':
        if (statement.declaration) walker.visit(statement.declaration);
        break;
      case 'ExportDefaultDeclaration':
        walker.visit(statement.declaration);
        break;
      default:
        walker.visit(statement);
    }
  }
  if (walker.topLevelAwait) {
    const { line, column } = lineColumnOf(text, walker.topLevelAwait.start);
    throw new CordonError('CORDON_TOP_LEVEL_AWAIT', 'Top-level await is not supported in a SES compartment', { file, line, column });
  }

  const prefix = choosePrefix([...takenNames, ...walker.dollarNames]);
  const once = `${prefix}once`;
  const live = `${prefix}live`;

  // Which exported locals are assigned after their declaration (those are live).
  const liveWrites: { names: string[]; node: Node; loop: boolean }[] = [];
  for (const write of walker.writes) {
    const names = write.names.filter(name => exportedLocals.has(name) && resolvesToModule(name, write.scope));
    if (names.length === 0) continue;
    for (const name of names) exportedLocals.get(name)!.live = true;
    liveWrites.push({ names, node: write.node, loop: write.loop });
  }
  const publish = (local: string): string => {
    const entry = exportedLocals.get(local)!;
    return `${entry.live ? live : once}.${local}(${local});`;
  };
  const notifier = (local: string): string => `${prefix}n_${local}`;

  // ----- pass 3: edits --------------------------------------------------------------------------
  // Imported bindings: reads through getters, calls with `this` undefined, writes through accessors.
  const writtenImports = new Set<string>();
  for (const ref of walker.references) {
    if (!importBindings.has(ref.name) || !resolvesToModule(ref.name, ref.scope)) continue;
    const getter = `${prefix}g_${ref.name}()`;
    switch (ref.kind) {
      case RefKind.Read:
      case RefKind.Callee:
        splicer.replace(ref.start, ref.end, getter);
        break;
      case RefKind.NewCallee:
        splicer.replace(ref.start, ref.end, `(${getter})`);
        break;
      case RefKind.Shorthand:
        splicer.replace(ref.start, ref.end, `${ref.name}:${getter}`);
        break;
      case RefKind.Write:
        writtenImports.add(ref.name);
        splicer.replace(ref.start, ref.end, `${prefix}i.${ref.name}`);
        break;
      case RefKind.ShorthandWrite:
        writtenImports.add(ref.name);
        splicer.replace(ref.start, ref.end, `${ref.name}:${prefix}i.${ref.name}`);
        break;
      default:
    }
  }

  // Live exported locals: publish again after every assignment.
  for (const write of liveWrites) {
    if (write.loop) {
      notifyInLoop(splicer, write.node, write.names.map(name => `${notifier(name)}();`).join(''));
    } else {
      for (const name of write.names) {
        splicer.insert(write.node.start, `${notifier(name)}(`);
        splicer.insertClosing(write.node.end, ')');
      }
    }
  }

  // Module-level declarations of exported locals: publish once initialised.
  for (const site of walker.declarations) {
    const names = site.names.filter(name => exportedLocals.has(name));
    if (names.length === 0) continue;
    const code = names.map(publish).join('');
    if (site.loop) notifyInLoop(splicer, site.loop, code);
    else splicer.insert(site.node.end, `;${code}`);
  }

  // Classes are published where they are declared; functions are hoisted into the preamble.
  const hoisted: string[] = [];
  for (const statement of body) {
    const declaration: Node | undefined =
      statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement;
    if (!declaration || !declaration.id) continue;
    const name: string = declaration.id.name;
    if (!exportedLocals.has(name)) continue;
    if (declaration.type === 'ClassDeclaration') splicer.insert(statement.end, `;${publish(name)}`);
    else if (declaration.type === 'FunctionDeclaration') hoisted.push(publish(name));
  }

  // `export default`.
  const outerHelpers: string[] = [];
  const anonymous = `${prefix}default`;
  if (defaultExport) {
    const { statement, declaration } = defaultExport;
    if (defaultExport.form === 'anonymous-function') {
      splicer.replace(statement.start, declaration.start, lineBreaksIn(text, statement.start, declaration.start));
      splicer.insert(parametersOpen(text, declaration), ` ${anonymous}`);
      outerHelpers.push(`${prefix}nm=f=>Reflect.defineProperty(f,"name",{value:"default"})`);
      exportedLocals.set(anonymous, { local: anonymous, names: ['default'], kind: 'function', live: false });
      hoisted.unshift(`${prefix}nm(${anonymous});${publish(anonymous)}`);
    } else {
      const keywordsEnd = afterExportDefault(text, statement);
      const hasSemicolon = text[statement.end - 1] === ';' && statement.end > declaration.end;
      const closeAt = hasSemicolon ? statement.end - 1 : statement.end;
      splicer.replace(statement.start, keywordsEnd, `${once}.default(${defaultExport.named ? '{default:' : ''}`);
      splicer.insertClosing(closeAt, `${defaultExport.named ? '}.default' : ''})${hasSemicolon ? '' : ';'}`);
      exportedLocals.set('default', { local: 'default', names: ['default'], kind: 'default', live: false });
    }
  }

  // Dynamic import and import.meta.
  for (const node of walker.dynamicImports) splicer.replace(node.start, node.start + 'import'.length, `${prefix}import`);
  for (const node of walker.importMetas) splicer.replace(node.start, node.end, `${prefix}meta`);

  // Text SES would reject.
  if (censored) {
    const spans: TextSpan[] = [...walker.literals];
    for (const comment of comments) spans.push({ start: comment.start, end: comment.end, kind: 'comment' });
    evadeCensorship(text, spans, splicer, position => splicer.covers(position));
  }

  // ----- the program -----------------------------------------------------------------------------
  const inner: string[] = [];
  for (const entry of exportedLocals.values()) {
    if (entry.kind === 'var') inner.push(`${live}.${entry.local}(void 0);`);
  }
  inner.push(...hoisted);
  for (const entry of exportedLocals.values()) {
    if (entry.live && entry.kind !== 'default') inner.push(`const ${notifier(entry.local)}=v=>(${live}.${entry.local}(${entry.local}),v);`);
  }
  const importRecord = imports.map(specifier => {
    const names = [...importNames.get(specifier)!].map(([importName, locals]) => {
      const updaters = locals.map(local => `v=>{${prefix}v_${local}=v}`).join(',');
      return `[${safeString(importName)},[${updaters}]]`;
    });
    return `[${safeString(specifier)},[${names.join(',')}]]`;
  });
  inner.push(`${prefix}imports([${importRecord.join(',')}]);`);

  if (importBindings.size > 0) {
    const bindings = [...importBindings.keys()];
    outerHelpers.push(
      `${prefix}T={}`,
      `${prefix}tdz=n=>{throw new ReferenceError("Cannot access imported binding '"+n+"' before initialization")}`,
    );
    outerHelpers.push(...bindings.map(local => `${prefix}g_${local}=()=>${prefix}v_${local}===${prefix}T?${prefix}tdz(${safeString(local)}):${prefix}v_${local}`));
    if (writtenImports.size > 0) {
      outerHelpers.push(`${prefix}ro=n=>{throw new TypeError("Assignment to constant variable '"+n+"' (an imported binding)")}`);
      const accessors = [...writtenImports].map(local => `get ${local}(){return ${prefix}g_${local}()},set ${local}(_){${prefix}ro(${safeString(local)})}`);
      outerHelpers.push(`${prefix}i={__proto__:null,${accessors.join(',')}}`);
    }
  }
  const outerLets = importBindings.size > 0 ? `let ${[...importBindings.keys()].map(local => `${prefix}v_${local}=${prefix}T`).join(',')};` : '';
  // `const` helpers must exist before the `let`s that use the sentinel; split accordingly.
  const sentinel = outerHelpers.length > 0 ? `const ${outerHelpers.join(',')};` : '';
  const prologue = `${sentinel}${outerLets}(function(){'use strict';${inner.join('')}`;
  const spliced = splicer.toString();
  // Only the parameters the module uses (the prefix occurs nowhere in the source, so a name in the
  // output is a use): less text for the engine to parse per module.
  const parameters = [
    ['imports', `${prefix}imports`],
    ['liveVar', live],
    ['onceVar', once],
    ['import', `${prefix}import`],
    ['importMeta', `${prefix}meta`],
  ]
    .filter(([, local]) => usesName(prologue, local!) || usesName(spliced, local!))
    .map(([key, local]) => `${key}:${local}`);
  const header = `({${parameters.join(',')}})=>{${prologue}`;
  const footer = '\n})()}';

  let functorSource = header + spliced + footer;
  if (options.sourceMapUrl !== undefined && options.sourceMapHook === undefined) {
    functorSource += `\n//# sourceMappingURL=${options.sourceMapUrl}`;
  }
  if (file !== undefined) functorSource += `\n//# sourceURL=${file}`;
  // The edits never form a censored token out of clean text, so only rewritten text needs the check.
  if (censored) assertUncensored(functorSource, file);

  if (options.sourceMapHook) {
    const map = splicer.toSourceMap(header, options.sourceMapUrl ?? file ?? '<unknown>', options.sourceMap);
    options.sourceMapHook(map, { sourceUrl: file, sourceMapUrl: options.sourceMapUrl, source: text });
  }

  // ----- the record ------------------------------------------------------------------------------
  const liveExportMap: Record<string, [string, boolean]> = {};
  const fixedExportMap: Record<string, [string]> = {};
  for (const entry of exportedLocals.values()) {
    for (const name of entry.names) {
      if (entry.live) liveExportMap[name] = [entry.local, false];
      else fixedExportMap[name] = [entry.local];
    }
  }
  const record: PrecompiledModuleSource = {
    imports,
    exports: [...exportNames].sort(),
    reexports: reexports.sort(),
    __syncModuleProgram__: functorSource,
    __liveExportMap__: liveExportMap,
    __reexportMap__: reexportMap,
    __fixedExportMap__: fixedExportMap,
    __needsImport__: walker.dynamicImports.length > 0,
    __needsImportMeta__: walker.importMetas.length > 0,
  };
  const literals = walker.dynamicImports.filter(node => node.source.type === 'Literal' && typeof node.source.value === 'string').map(node => node.source.value as string);
  if (literals.length > 0) literalDynamicImports.set(record, literals);
  return record;
};

/** Publishes at the start of every iteration of `loop` and once after it (for an empty loop). */
const notifyInLoop = (splicer: Splicer, loop: Node, code: string): void => {
  const loopBody: Node = loop.body;
  if (loopBody.type === 'BlockStatement') {
    splicer.insert(loopBody.start + 1, code);
  } else {
    splicer.insert(loopBody.start, `{${code}`);
    splicer.insertClosing(loopBody.end, '}');
  }
  splicer.insertClosing(loop.end, `;${code}`);
};

/** The names a declaration binds at its own level. */
const declaredNames = (declaration: Node): string[] => {
  if (declaration.type === 'VariableDeclaration') return declaration.declarations.flatMap((d: Node) => boundNames(d.id));
  return declaration.id ? [declaration.id.name] : [];
};

/** The names a binding pattern binds. */
const boundNames = (pattern: Node, names: string[] = []): string[] => {
  switch (pattern.type) {
    case 'Identifier':
      names.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const property of pattern.properties) boundNames(property.type === 'RestElement' ? property.argument : property.value, names);
      break;
    case 'ArrayPattern':
      for (const element of pattern.elements) if (element) boundNames(element, names);
      break;
    case 'RestElement':
      boundNames(pattern.argument, names);
      break;
    case 'AssignmentPattern':
      boundNames(pattern.left, names);
      break;
    default:
  }
  return names;
};
