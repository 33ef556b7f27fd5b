const lineBreak = /[\n\r\u2028\u2029]/;

/** The line terminators of `text[start, end)`, in order: what must stay when that span is removed. */
export const lineBreaksIn = (text: string, start: number, end: number): string => {
  // Most removed spans (an import, an `export` keyword) hold none: one native search says so.
  if (!lineBreak.test(text.slice(start, end))) return '';
  let out = '';
  for (let i = start; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) out += text[i];
  }
  return out;
};
