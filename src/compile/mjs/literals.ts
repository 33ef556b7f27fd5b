/**
 * Literals whose text SES rejects, rewritten so that the program observes the same values
 * (see docs/compile-fidelity.md):
 *
 * - a tagged template whose strings hold censored text becomes a call of its tag with a template
 *   object made once, before the module runs, from the original cooked and raw strings (frozen, its
 *   `raw` frozen and non-enumerable: the shape the language gives it, one object per site);
 * - a regular expression literal that holds censored text becomes a call that constructs it from
 *   its pattern and flags (the same `source`, `flags` and behaviour; a new object per evaluation, as a
 *   literal gives).
 *
 * Untagged templates and strings need no such care: escaping one character keeps their value
 * (src/compile/censor.ts does that).
 */
import { CordonError } from '../../diagnostics/index.js';
import { lineColumnOf } from '../../model/index.js';
import { hasCensoredText } from '../censor.js';
import type { Splicer } from '../splice.js';
import { lineBreaksIn } from '../text-position.js';
import type { Node } from './scope.js';
import { isIdentifierPart, safeString } from './syntax.js';
import type { TaggedTemplate } from './walk.js';

const literalOrVoid = (value: string | null | undefined): string => (typeof value === 'string' ? safeString(value) : 'void 0');

/**
 * Records the rewrites on `splicer`; returns the helper definitions (`name=value`) the program must
 * declare before the module's code.
 */
export const rewriteCensoredLiterals = (
  text: string,
  taggedTemplates: readonly TaggedTemplate[],
  regexes: readonly Node[],
  splicer: Splicer,
  prefix: string,
  file: string | undefined,
): string[] => {
  const helpers: string[] = [];
  let objects = 0;
  for (const { node, newCallee } of taggedTemplates) {
    const quasi: Node = node.quasi;
    if (!hasCensoredText(text.slice(quasi.start, quasi.end))) continue;
    const quasis: Node[] = quasi.quasis;
    if (objects === 0) {
      helpers.push(`${prefix}O=({}).constructor`, `${prefix}tpl=(c,r)=>${prefix}O.freeze(${prefix}O.defineProperty(c,"raw",{value:${prefix}O.freeze(r)}))`);
    }
    const name = `${prefix}t${objects}`;
    objects += 1;
    const cooked = quasis.map(q => literalOrVoid(q.value.cooked)).join(',');
    const raw = quasis.map(q => literalOrVoid(q.value.raw)).join(',');
    helpers.push(`${name}=${prefix}tpl([${cooked}],[${raw}])`);
    // tag`a${x}b${y}c` → tag(object,(x),(y)): each string with its delimiters becomes punctuation;
    // the substitutions stay where they are (each in parentheses: it may be a comma expression).
    const last = quasis.length - 1;
    for (let i = 0; i <= last; i += 1) {
      const start = i === 0 ? quasi.start : quasis[i]!.start - 1;
      const end = i === last ? quasi.end : quasis[i]!.end + 2;
      const breaks = lineBreaksIn(text, start, end);
      const punctuation = last === 0 ? `(${name}${breaks})` : i === 0 ? `(${name},${breaks}(` : i === last ? `${breaks}))` : `),${breaks}(`;
      splicer.replace(start, end, punctuation);
    }
    if (newCallee) {
      // `new tag\`…\`()` constructs what the tag returns: `new (tag(object))()`.
      splicer.insert(node.start, '(');
      splicer.insertClosing(node.end, ')');
    }
  }

  let constructs = false;
  for (const node of regexes) {
    if (!hasCensoredText(text.slice(node.start, node.end))) continue;
    if (node.value === null) {
      // Node refuses the whole module for an invalid literal; so does Cordon (the constructor would only throw when run).
      const { line, column } = lineColumnOf(text, node.start);
      throw new CordonError('CORDON_SYNTAX_ERROR', `Invalid regular expression: ${text.slice(node.start, node.end)}`, { file, line, column });
    }
    if (!constructs) {
      helpers.push(`${prefix}R=/(?:)/.constructor`, `${prefix}re=(p,f)=>new ${prefix}R(p,f)`);
      constructs = true;
    }
    const space = node.start > 0 && isIdentifierPart(text.charCodeAt(node.start - 1)) ? ' ' : '';
    splicer.replace(node.start, node.end, `${space}${prefix}re(${safeString(node.regex.pattern)},${safeString(node.regex.flags)})`);
  }
  return helpers;
};
