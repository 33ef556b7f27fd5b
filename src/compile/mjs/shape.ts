/**
 * Pass 1 of the ESM compiler: the module's static shape, read from its top-level statements only
 * (imports, exports, re-exports, top-level declarations). Import and re-export statements are
 * removed from the text here (their line breaks stay); `export` keywords before declarations too.
 */
import type { Splicer } from '../splice.js';
import { lineBreaksIn } from '../text-position.js';
import type { Node } from './scope.js';
import { nameTable } from './program.js';
import { boundNames, declaredNames, isAnonymousFunctionDefinition } from './syntax.js';

export type DeclarationKind = 'function' | 'var' | 'let' | 'const' | 'class' | 'default';

export interface ImportBinding {
  readonly local: string;
  readonly specifier: string;
  readonly importName: string;
}

export interface ExportedLocal {
  readonly local: string;
  readonly names: string[];
  kind: DeclarationKind;
  live: boolean;
}

/** What an `export default` needs beyond ordinary declarations. */
export type DefaultExport =
  | { readonly form: 'anonymous-function'; readonly statement: Node; readonly declaration: Node }
  | { readonly form: 'expression'; readonly statement: Node; readonly declaration: Node; readonly named: boolean };

export interface ModuleShape {
  /** Every specifier the module names, in order of first appearance. */
  readonly imports: string[];
  /** specifier → import name → the locals bound to it. */
  readonly importNames: Map<string, Map<string, string[]>>;
  readonly importBindings: Map<string, ImportBinding>;
  /** `export *` specifiers. */
  readonly reexports: string[];
  readonly reexportMap: Record<string, [string, string][]>;
  readonly exportNames: Set<string>;
  /** Locals the module exports, by local name (imported bindings exported again are re-exports). */
  readonly exportedLocals: Map<string, ExportedLocal>;
  readonly defaultExport: DefaultExport | null;
  /** Top-level names starting with `$` (hidden names must not collide with them). */
  readonly takenNames: string[];
}

const nameOf = (node: Node): string => (node.type === 'Identifier' ? node.name : String(node.value));

export const readShape = (text: string, body: readonly Node[], splicer: Splicer, fail: (message: string, node: Node) => never): ModuleShape => {
  const imports: string[] = [];
  const importNames = new Map<string, Map<string, string[]>>();
  const importBindings = new Map<string, ImportBinding>();
  const reexports: string[] = [];
  const reexportMap = nameTable<[string, string][]>();
  const topLevel = new Map<string, DeclarationKind>();
  const exportSpecifiers: string[] = []; // local, exported, local, exported, …
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
  const removeStatement = (node: Node): void => splicer.replace(node.start, node.end, lineBreaksIn(text, node.start, node.end));
  const removeUpTo = (statement: Node, declaration: Node): void =>
    splicer.replace(statement.start, declaration.start, lineBreaksIn(text, statement.start, declaration.start));
  const declareTopLevel = (node: Node): void => {
    switch (node.type) {
      case 'VariableDeclaration':
        for (const declarator of node.declarations) {
          if (declarator.id.type === 'Identifier') topLevel.set(declarator.id.name, node.kind);
          else for (const name of boundNames(declarator.id)) topLevel.set(name, node.kind);
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
            exportSpecifiers.push(name, name);
          }
          removeUpTo(statement, declaration);
        } else {
          for (const s of statement.specifiers) {
            const exported = nameOf(s.exported);
            addExportName(exported, statement);
            exportSpecifiers.push(nameOf(s.local), exported);
          }
          removeStatement(statement);
        }
        break;
      case 'ExportDefaultDeclaration': {
        const declaration: Node = statement.declaration;
        addExportName('default', statement);
        if ((declaration.type === 'FunctionDeclaration' || declaration.type === 'ClassDeclaration') && declaration.id) {
          declareTopLevel(declaration);
          exportSpecifiers.push(declaration.id.name, 'default');
          removeUpTo(statement, declaration);
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
  for (let i = 0; i < exportSpecifiers.length; i += 2) {
    const local = exportSpecifiers[i]!;
    const exported = exportSpecifiers[i + 1]!;
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

  return { imports, importNames, importBindings, reexports, reexportMap, exportNames, exportedLocals, defaultExport, takenNames };
};
