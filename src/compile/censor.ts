/**
 * SES's evaluator rejects any text in which it sees `import(` (also `import (`, `import//`, `import/*`),
 * `eval(` (a possible direct eval) or an HTML comment token (`<!--`, `-->`), wherever they stand: code,
 * strings, templates, regular expressions or comments. Real packages contain them (semver, commander, chalk 4, handlebars), so the
 * compilers rewrite each occurrence into equivalent text that SES accepts, keeping every line:
 *
 * | where        | `import(`                       | `<!--` / `-->`                 |
 * |--------------|---------------------------------|--------------------------------|
 * | code         | `import()` is rewritten anyway; a property named `import` becomes `\u0069mport` | `< !--` / `-- >` (same tokens) |
 * | string, template | the `m` becomes `\x6d` (same value) | `<\x21--` / `--\x3e`       |
 * | regex        | the `m` becomes `\x6d` (same pattern) | `<\x21--` / `--\x3e`       |
 * | comment      | `import` becomes `Import`       | the `!` / `>` becomes a space   |
 * | HTML-like comment (CommonJS only) | | the token becomes `//`          |
 *
 * `eval(` is treated like `import(`: in code it becomes `\u0065val(`, which SES does not see and which
 * calls the compartment's own `eval`, so a direct eval runs as an indirect one (global scope), the
 * only eval a compartment has; in strings, templates and regexes the `v` becomes `\x76`; in comments
 * `eval` becomes `Eval`. (In comments the word itself changes, never what follows it: that may be the
 * next line's code or comment.)
 *
 * Every occurrence is found, overlapping ones too (`<!-->`, `import(import(`): the patterns below
 * look around rather than consume. Template literals keep their cooked value and regular expressions
 * their meaning. The ESM compiler goes further where an escape would show (src/compile/mjs/literals.ts):
 * a censored tagged template gets a template object with the original raw strings, and a censored
 * regular expression literal is constructed from its original pattern; this module then leaves those
 * alone (their text is covered by the compiler's own edits). See docs/compile-fidelity.md.
 */
import { CordonError } from '../diagnostics/index.js';
import { lineColumnOf } from '../model/index.js';
import type { Splicer } from './splice.js';

export type LiteralKind = 'string' | 'template' | 'regex' | 'comment' | 'html-comment';

export interface TextSpan {
  readonly start: number;
  readonly end: number;
  readonly kind: LiteralKind;
}

// SES's `rejectImportExpressions`, `rejectSomeDirectEvalExpressions` and `rejectHtmlComments` match
// with consuming patterns; these find every position any of them could match (lookarounds, so that
// overlapping occurrences such as `<!-->` or `import(import(` are all found).
const importPattern = /(?<=^|[^.]|\.\.\.)\bimport(?=\s*(?:\(|\/[/*]))/g;
const evalPattern = /(?<=^|[^.])\beval(?=\s*\()/g;
const htmlCommentPattern = /<(?=!--)|-(?=->)/g;
const quickPattern = /\b(?:import\s*(?:\(|\/[/*])|eval\s*\()/;

/** Whether `text` holds anything SES would reject (cheap; most modules answer no). */
export const hasCensoredText = (text: string): boolean => text.includes('-->') || text.includes('<!--') || quickPattern.test(text);

/**
 * `import` and `eval` and how each is disguised: in code its first letter becomes a Unicode escape
 * (the same identifier); in a string, template or regex its second letter a hex escape (the same
 * text); in a comment its first letter changes case.
 */
const censoredWords = [
  { pattern: importPattern, code: '\\u0069', quoted: '\\x6d', comment: 'I' },
  { pattern: evalPattern, code: '\\u0065', quoted: '\\x76', comment: 'E' },
] as const;

const spanAt = (spans: readonly TextSpan[], position: number): TextSpan | undefined => {
  let lo = 0;
  let hi = spans.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const span = spans[mid]!;
    if (position < span.start) hi = mid - 1;
    else if (position >= span.end) lo = mid + 1;
    else return span;
  }
  return undefined;
};

/**
 * Records edits on `splicer` that remove every censored token from `text`.
 * `spans` lists the strings, templates, regular expressions and comments of the text;
 * `covered(position)` says whether an existing edit already replaces that character (text that a
 * compiler rewrites whole, such as a removed import, is left to it).
 */
export const evadeCensorship = (
  text: string,
  spans: readonly TextSpan[],
  splicer: Splicer,
  covered: (position: number) => boolean,
): void => {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const replace = (at: number, start: number, end: number, replacement: string): void => {
    if (!covered(at) && !covered(start)) splicer.replace(start, end, replacement);
  };
  for (const { pattern, code, quoted, comment } of censoredWords) {
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) {
      const at = match.index; // the word's first letter
      switch (spanAt(sorted, at)?.kind) {
        case undefined:
          replace(at, at, at + 1, code);
          break;
        case 'string':
        case 'template':
        case 'regex':
          replace(at, at + 1, at + 2, quoted);
          break;
        default:
          replace(at, at, at + 1, comment);
      }
    }
  }
  htmlCommentPattern.lastIndex = 0;
  for (const match of text.matchAll(htmlCommentPattern)) {
    const at = match.index;
    const open = text.charCodeAt(at) === 60; /* < */
    // The character that is changed: the `!` of `<!--`, the `>` of `-->`.
    const which = open ? at + 1 : at + 2;
    const span = spanAt(sorted, at);
    switch (span?.kind) {
      case undefined:
        if (!covered(at)) splicer.insert(which, ' ');
        break;
      case 'string':
      case 'template':
      case 'regex':
        replace(at, which, which + 1, open ? '\\x21' : '\\x3e');
        break;
      default:
        if (span?.kind === 'html-comment' && text.slice(span.start, at).trim() === '') {
          // The token that opens an HTML-like comment: make it a line comment.
          replace(at, at, at + (open ? 4 : 3), open ? '//  ' : '// ');
        } else {
          replace(at, which, which + 1, ' ');
        }
    }
  }
};

/** The compilers' promise, checked: the output holds nothing SES will reject. */
export const assertUncensored = (output: string, file: string | undefined, offset = 0): void => {
  let found: RegExpExecArray | null = null;
  for (const pattern of [importPattern, evalPattern, htmlCommentPattern]) {
    pattern.lastIndex = 0;
    found ??= pattern.exec(output);
    pattern.lastIndex = 0;
  }
  if (found) {
    const { line, column } = lineColumnOf(output, found.index);
    throw new CordonError(
      'CORDON_CENSORED_TEXT',
      `Cannot rewrite text that SES's evaluator rejects (${JSON.stringify(output.slice(found.index, found.index + 7))})`,
      { file, line: line - offset, column },
    );
  }
};
