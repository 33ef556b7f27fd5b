/**
 * SES's evaluator rejects any text in which it sees `import(` (also `import (`, `import//`, `import/*`)
 * or an HTML comment token (`<!--`, `-->`), wherever they stand: code, strings, templates, regular
 * expressions or comments. Real packages contain them (semver, commander, chalk 4, handlebars), so the
 * compilers rewrite each occurrence into equivalent text that SES accepts, keeping every line:
 *
 * | where        | `import(`                       | `<!--` / `-->`                 |
 * |--------------|---------------------------------|--------------------------------|
 * | code         | `import()` is rewritten anyway; a property named `import` becomes `\u0069mport` | `< !--` / `-- >` (same tokens) |
 * | string, template | the `m` becomes `\x6d` (same value) | `<\x21--` / `--\x3e`       |
 * | regex        | the `m` becomes `\x6d` (same pattern) | `<\x21--` / `--\x3e`       |
 * | comment      | the `(`/`/` becomes a space     | the `!` / `>` becomes a space   |
 * | HTML-like comment (CommonJS only) | | the token becomes `//`          |
 *
 * Template literals keep their cooked value and regular expressions their meaning; a tag that reads
 * `.raw`, or code that reads a regular expression's `.source`, sees the escape.
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

// The same patterns as SES's `rejectImportExpressions` and `rejectHtmlComments`.
const importPattern = /(^|[^.]|\.\.\.)\bimport(\s*(?:\(|\/[/*]))/g;
const htmlCommentPattern = /<!--|-->/g;
const quickPattern = /\bimport\s*(?:\(|\/[/*])|<!--|-->/;

/** Whether `text` holds anything SES would reject (cheap; most modules answer no). */
export const hasCensoredText = (text: string): boolean => quickPattern.test(text);

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
 * `covered(position)` says whether an existing edit already replaces that character.
 */
export const evadeCensorship = (
  text: string,
  spans: readonly TextSpan[],
  splicer: Splicer,
  covered: (position: number) => boolean,
): void => {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (const match of text.matchAll(importPattern)) {
    const at = match.index + match[1]!.length; // the `i` of `import`
    if (covered(at)) continue;
    const after = at + 6 + (match[2]!.length - 1); // the `(` or `/` after `import` and any spaces
    const span = spanAt(sorted, at);
    switch (span?.kind) {
      case undefined:
        splicer.replace(at, at + 1, '\\u0069');
        break;
      case 'string':
      case 'template':
      case 'regex':
        splicer.replace(at + 1, at + 2, '\\x6d');
        break;
      default:
        splicer.replace(after, after + 1, ' ');
    }
  }
  for (const match of text.matchAll(htmlCommentPattern)) {
    const at = match.index;
    if (covered(at)) continue;
    const open = match[0] === '<!--';
    const span = spanAt(sorted, at);
    switch (span?.kind) {
      case undefined:
        splicer.insert(open ? at + 1 : at + 2, ' ');
        break;
      case 'string':
      case 'template':
      case 'regex':
        if (open) splicer.replace(at + 1, at + 2, '\\x21');
        else splicer.replace(at + 2, at + 3, '\\x3e');
        break;
      default:
        if (span?.kind === 'html-comment' && text.slice(span.start, at).trim() === '') {
          // The token that opens an HTML-like comment: make it a line comment.
          splicer.replace(at, at + match[0].length, open ? '//  ' : '// ');
        } else if (open) {
          splicer.replace(at + 1, at + 2, ' ');
        } else {
          splicer.replace(at + 2, at + 3, ' ');
        }
    }
  }
};

/** The compilers' promise, checked: the output holds nothing SES will reject. */
export const assertUncensored = (output: string, file: string | undefined, offset = 0): void => {
  importPattern.lastIndex = 0;
  htmlCommentPattern.lastIndex = 0;
  const found = importPattern.exec(output) ?? htmlCommentPattern.exec(output);
  importPattern.lastIndex = 0;
  htmlCommentPattern.lastIndex = 0;
  if (found) {
    const { line, column } = lineColumnOf(output, found.index);
    throw new CordonError(
      'CORDON_CENSORED_TEXT',
      `Cannot rewrite text that SES's evaluator rejects (${JSON.stringify(found[0])})`,
      { file, line: line - offset, column },
    );
  }
};
