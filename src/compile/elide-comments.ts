/**
 * `elideComments` (bundleSource's option): every comment's text blanked, its line breaks kept, so a
 * bundle gets smaller and every line and column of code stays where it was. As the incumbent's
 * evasive transform does: a line comment becomes `//`; a block comment keeps its line breaks and
 * turns its last line into spaces; a block comment marked for keeping (`/*!`, or a JSDoc block with
 * `@license`, `@preserve`, `@copyright`, `@cc_on`) is left alone, as are `#!` lines and HTML-like
 * comments (the compiler rewrites those).
 */
import { Splicer } from './splice.js';
import { parseModuleText, parseScriptText } from './parse.js';

const KEEP = /(?:^|\n)\s*\*?\s*@(?:preserve|copyright|license|cc_on)\b/;

const keep = (body: string): boolean => body.startsWith('!') || (body.startsWith('*') && KEEP.test(body));

/** The text with comment interiors blanked; `language` is the goal the text is parsed in. */
export const elideComments = (text: string, language: 'mjs' | 'cjs', file?: string): string => {
  const { comments } = language === 'mjs' ? parseModuleText(text, file, true) : parseScriptText(text, file);
  if (comments.length === 0) return text;
  const splicer = new Splicer(text);
  let edited = false;
  for (const { type, start, end } of comments) {
    if (type === 'SingleLine') {
      if (end > start + 2) {
        splicer.replace(start + 2, end, '');
        edited = true;
      }
    } else if (type === 'MultiLine') {
      const body = text.slice(start + 2, end - 2);
      if (keep(body)) continue;
      const blanked = body.replace(/[^\n]+\n/g, '\n').replace(/[^\n]/g, ' ');
      if (blanked !== body) {
        splicer.replace(start + 2, end - 2, blanked);
        edited = true;
      }
    }
  }
  return edited ? splicer.toString() : text;
};
