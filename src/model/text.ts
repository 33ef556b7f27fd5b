/** Offset → 1-based line and 0-based column, counting the line terminators ECMAScript counts. */
export const lineColumnOf = (text: string, offset: number): { line: number; column: number } => {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i += 1) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029) {
      line += 1;
      lineStart = i + 1;
    } else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i += 1;
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart };
};
