/**
 * The ESM compiler: module text → SES precompiled module source (see docs/ARCHITECTURE.md,
 * "The ESM compiler", and docs/compile-fidelity.md). The original text is kept and edited in place,
 * so line N of the source is line N of the program; everything the compiler adds to the start goes
 * on line 1.
 *
 * Imported bindings are read through per-binding getter functions that throw a ReferenceError until
 * the exporter has initialised them (TDZ) and, when assigned, through accessors that throw a TypeError.
 * Exported locals stay ordinary local variables: a fixed one is published once after its declaration,
 * a live one after its declaration and after every assignment.
 *
 * Passes: the parse; the static shape (top-level statements only, src/compile/mjs/shape.ts); one walk
 * of the code (src/compile/mjs/walk.ts); then edits, recorded on a splicer and applied in one go.
 */
import { CordonError } from '../../diagnostics/index.js';
import { lineColumnOf, type PrecompiledModuleSource } from '../../model/index.js';
import { assertUncensored, evadeCensorship, hasCensoredText, type TextSpan } from '../censor.js';
import { parseModuleText } from '../parse.js';
import { Splicer, type SourceMapObject } from '../splice.js';
import { lineBreaksIn } from '../text-position.js';
import { rewriteCensoredLiterals } from './literals.js';
import { moduleRecord, programFooter, programForm, programHeader } from './program.js';
import { resolvesToModule, type Node } from './scope.js';
import { readShape } from './shape.js';
import { afterExportDefault, choosePrefix } from './syntax.js';
import { markOffsets, ModuleWalker, RefKind } from './walk.js';

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
  if (text.charCodeAt(0) === 35 /* # */ && text.charCodeAt(1) === 33 /* ! */) splicer.replace(0, 2, '//');

  // ----- the static shape, then one walk over the code ------------------------------------------
  const shape = readShape(text, body, splicer, fail);
  const { importBindings, exportedLocals, defaultExport } = shape;
  // Hidden names start with `$cordon`: only text that has that (or an escaped identifier) needs the
  // walk to collect `$` names to steer clear of.
  const dollars = text.includes('$cordon') || text.includes('\\u');
  const candidates = new Set<string>(importBindings.keys());
  for (const local of exportedLocals.keys()) candidates.add(local);
  // Subtrees without a candidate's name (or `import`, `await`) in their text are skipped (worth
  // finding those names only in larger texts).
  const marks = censored || dollars || text.length < 4096 ? null : markOffsets(text, [...candidates, 'import', 'await']);
  const walker = new ModuleWalker(candidates, censored, dollars, marks);
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
  const topLevelAwait = walker.topLevelAwait !== null;

  const prefix = dollars ? choosePrefix([...shape.takenNames, ...walker.dollarNames]) : '$cordon_';
  const once = `${prefix}once`;
  const live = `${prefix}live`;
  const uses = { live: false, once: false, import: walker.dynamicImports.length > 0, meta: walker.importMetas.length > 0 };

  // Which exported locals are assigned after their declaration (those are live).
  const liveWrites: { names: string[]; node: Node; loop: boolean }[] = [];
  for (const write of walker.writes) {
    const names = write.names.filter(name => exportedLocals.has(name) && resolvesToModule(name, write.scope));
    if (names.length === 0) continue;
    for (const name of names) exportedLocals.get(name)!.live = true;
    liveWrites.push({ names, node: write.node, loop: write.loop });
  }
  const publish = (local: string, value: string = local): string => {
    if (exportedLocals.get(local)!.live) {
      uses.live = true;
      return `${live}.${local}(${value});`;
    }
    uses.once = true;
    return `${once}.${local}(${value});`;
  };
  const notifier = (local: string): string => `${prefix}n_${local}`;

  // ----- edits ----------------------------------------------------------------------------------
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
    let code = '';
    for (const name of site.names) if (exportedLocals.has(name)) code += publish(name);
    if (code === '') continue;
    if (site.loop) notifyInLoop(splicer, site.loop, code);
    else splicer.insert(site.node.end, `;${code}`);
  }

  // Classes are published where they are declared; functions are hoisted into the preamble.
  const hoisted: string[] = [];
  if (exportedLocals.size > 0) {
    for (const statement of body) {
      const declaration: Node | undefined =
        statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement;
      if (!declaration || !declaration.id || !exportedLocals.has(declaration.id.name)) continue;
      const name: string = declaration.id.name;
      if (declaration.type === 'ClassDeclaration') splicer.insert(statement.end, `;${publish(name)}`);
      else if (declaration.type === 'FunctionDeclaration') hoisted.push(publish(name));
    }
  }

  // `export default`.
  const lets: string[] = [];
  if (defaultExport) {
    const { statement, declaration } = defaultExport;
    if (defaultExport.form === 'anonymous-function') {
      // A hoisted getter makes the function (its text untouched, named "default" by the property)
      // the first time it is asked for: in the preamble, before any of the module's code runs.
      const anonymous = `${prefix}default`;
      exportedLocals.set(anonymous, { local: anonymous, names: ['default'], kind: 'function', live: false });
      lets.push(`${prefix}dv`);
      const opening = `function ${prefix}dget(){return ${prefix}dv||(${prefix}dv={default:`;
      splicer.replace(statement.start, declaration.start, opening + lineBreaksIn(text, statement.start, declaration.start));
      splicer.insertClosing(declaration.end, '}.default)}');
      hoisted.unshift(publish(anonymous, `${prefix}dget()`));
    } else {
      const keywordsEnd = afterExportDefault(text, statement);
      const hasSemicolon = text.charCodeAt(statement.end - 1) === 59 /* ; */ && statement.end > declaration.end;
      const closeAt = hasSemicolon ? statement.end - 1 : statement.end;
      uses.once = true;
      splicer.replace(statement.start, keywordsEnd, `${once}.default(${defaultExport.named ? '{default:' : ''}`);
      splicer.insertClosing(closeAt, `${defaultExport.named ? '}.default' : ''})${hasSemicolon ? '' : ';'}`);
      exportedLocals.set('default', { local: 'default', names: ['default'], kind: 'default', live: false });
    }
  }

  // Dynamic import and import.meta.
  for (const node of walker.dynamicImports) splicer.replace(node.start, node.start + 'import'.length, `${prefix}import`);
  for (const node of walker.importMetas) splicer.replace(node.start, node.end, `${prefix}meta`);

  // Text SES would reject: literals that must keep their text are rebuilt, the rest disguised.
  const helpers = censored ? rewriteCensoredLiterals(text, walker.taggedTemplates, walker.regexes, splicer, prefix, file) : [];
  if (censored) {
    const spans: TextSpan[] = [...walker.literals];
    for (const comment of comments) spans.push({ start: comment.start, end: comment.end, kind: 'comment' });
    evadeCensorship(text, spans, splicer, position => splicer.covers(position));
  }

  // ----- the program ----------------------------------------------------------------------------
  const inner: string[] = [];
  for (const entry of exportedLocals.values()) {
    if (entry.kind === 'var') inner.push(`${live}.${entry.local}(void 0);`);
  }
  for (const code of hoisted) inner.push(code);
  for (const entry of exportedLocals.values()) {
    if (entry.live) uses.live = true;
    if (entry.live && entry.kind !== 'default') inner.push(`const ${notifier(entry.local)}=v=>(${live}.${entry.local}(${entry.local}),v);`);
  }
  const header = programHeader({ shape, prefix, helpers, lets, inner, writtenImports, uses, topLevelAwait });
  let functorSource = header + splicer.toString() + programFooter(programForm({ shape, topLevelAwait }), prefix);
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

  const record = moduleRecord(shape, functorSource, walker.dynamicImports.length > 0, walker.importMetas.length > 0, topLevelAwait);
  const literals: string[] = [];
  for (const node of walker.dynamicImports) if (node.source.type === 'Literal' && typeof node.source.value === 'string') literals.push(node.source.value);
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
