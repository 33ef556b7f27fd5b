/** Small facts about module text and its AST that the compiler's passes share. */
import type { Node } from './scope.js';

/** A JavaScript string literal for `value` that holds none of the characters SES's censor looks for. */
export const safeString = (value: string): string =>
  /^[\w$@./-]*$/.test(value) ? `"${value}"` : JSON.stringify(value).replace(/[<>(]/g, c => `\\u00${c.charCodeAt(0).toString(16)}`);

/** Whether `node` is an anonymous function or class definition (which takes the name it is given). */
export const isAnonymousFunctionDefinition = (node: Node): boolean =>
  (node.type === 'FunctionExpression' || node.type === 'ClassExpression' || node.type === 'ClassDeclaration' || node.type === 'FunctionDeclaration') && !node.id
    ? true
    : node.type === 'ArrowFunctionExpression';

const isLineBreak = (c: number): boolean => c === 10 || c === 13 || c === 0x2028 || c === 0x2029;

/** Skips whitespace and comments from `position`. */
export const skipTrivia = (text: string, position: number): number => {
  let i = position;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || c === 0x2028 || c === 0x2029) {
      i += 1;
    } else if (c === 47 /* / */ && text.charCodeAt(i + 1) === 47) {
      while (i < text.length && !isLineBreak(text.charCodeAt(i))) i += 1;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42 /* * */) {
      const close = text.indexOf('*/', i + 2);
      i = close < 0 ? text.length : close + 2;
    } else {
      return i;
    }
  }
};

/** The offset just after `export default` at the start of `statement`. */
export const afterExportDefault = (text: string, statement: Node): number => skipTrivia(text, statement.start + 'export'.length) + 'default'.length;

/** Whether the character code can continue an identifier (ASCII, or any non-ASCII to be safe). */
export const isIdentifierPart = (c: number): boolean =>
  c === 36 || c === 95 || c === 92 /* \ */ || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c > 127;

/** Hidden names start with this, plus a number if the text already has names that do. */
export const choosePrefix = (taken: readonly string[]): string => {
  for (let n = 0; ; n += 1) {
    const prefix = n === 0 ? '$cordon_' : `$cordon${n}_`;
    if (!taken.some(name => name.startsWith(prefix))) return prefix;
  }
};

/** The names a declaration binds at its own level. */
export const declaredNames = (declaration: Node): string[] => {
  if (declaration.type === 'VariableDeclaration') {
    const names: string[] = [];
    for (const d of declaration.declarations) boundNames(d.id, names);
    return names;
  }
  return declaration.id ? [declaration.id.name] : [];
};

/** The names a binding pattern binds. */
export const boundNames = (pattern: Node, names: string[] = []): string[] => {
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
