/** How the CLI prints errors: Cordon errors with their code, where, hint; each underlying error of a failed load. */
import { isCordonError } from '../index.js';

const useColor = (): boolean => Boolean(process.stderr.isTTY) && !process.env.NO_COLOR;

export const formatError = (error: unknown): string => {
  const color = useColor();
  const red = (s: string) => (color ? `\x1b[31m${s}\x1b[39m` : s);
  const dim = (s: string) => (color ? `\x1b[2m${s}\x1b[22m` : s);
  if (!isCordonError(error)) {
    return `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`;
  }
  const lines: string[] = [];
  const describe = (e: unknown, first: string, indent: string) => {
    if (isCordonError(e)) {
      const [head, ...more] = e.message.split('\n');
      lines.push(`${first}${red(e.code)} ${head}`);
      // Details listed in the message (each problem of a policy, each denied link of an archive).
      for (const line of more) lines.push(`${indent}  ${line.trim()}`);
      if (e.package !== undefined) lines.push(`${indent}  ${dim('package:')} ${e.package}`);
      if (e.specifier !== undefined) lines.push(`${indent}  ${dim('specifier:')} ${e.specifier}`);
      if (e.file !== undefined) lines.push(`${indent}  ${dim('file:')} ${e.file}${e.line !== undefined ? `:${e.line}` : ''}`);
      lines.push(`${indent}  ${dim('hint:')} ${e.hint}`);
    } else {
      lines.push(`${first}${e instanceof Error ? e.message : String(e)}`);
    }
  };
  if (error.code === 'CORDON_LOAD_FAILED' && error.errors) {
    lines.push(`cordon: ${red(error.code)} ${error.message.split('\n')[0]}`);
    for (const inner of error.errors) describe(inner, '  - ', '    ');
  } else {
    describe(error, 'cordon: ', '');
  }
  return `${lines.join('\n')}\n`;
};

/**
 * What `node` prints for an uncaught exception or an unhandled rejection, for one Node prints badly once
 * SES has locked down (its inspector shows only the error's own fields): the stack, then `code` and the
 * other fields it carries (an `ERR_ACCESS_DENIED`'s `permission`, `resource`, `package`, `flag`).
 */
export const formatUncaught = (error: unknown, origin: string): string => {
  if (!(error instanceof Error) || isCordonError(error)) return `${origin === 'unhandledRejection' ? 'Unhandled rejection: ' : ''}${formatError(error)}`;
  const fields = Object.entries(error)
    .filter(([key]) => key !== 'stack' && key !== 'message')
    .map(([key, value]) => `  ${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`);
  return `${origin === 'unhandledRejection' ? 'Unhandled rejection: ' : 'Uncaught '}${error.stack ?? `${error.name}: ${error.message}`}${fields.length > 0 ? ` {\n${fields.join('\n')}\n}` : ''}\n`;
};
