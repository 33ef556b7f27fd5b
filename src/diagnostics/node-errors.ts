/**
 * Errors in Node's own shape, for code that inspects them (`err.code === 'MODULE_NOT_FOUND'` around an
 * optional `require`). Cordon's diagnosis stays attached as `cause` (a CordonError with its code).
 */
import { isCordonError } from './error.js';

/** Cordon codes whose `require()` failure Node reports as MODULE_NOT_FOUND. */
const notFoundCodes: ReadonlySet<string> = new Set([
  'CORDON_MODULE_NOT_FOUND',
  'CORDON_HOST_MODULE_NOT_FOUND',
  'CORDON_DEPENDENCY_NOT_FOUND',
  'CORDON_UNDECLARED_DEPENDENCY',
]);

/**
 * What a failed `require(specifier)` throws: Node's `Error: Cannot find module 'x'` with `code` and
 * `requireStack` (the requiring file's path or location), for the failures Node reports that way;
 * `ERR_PACKAGE_PATH_NOT_EXPORTED` for a subpath the package's `exports` hides; any other error as is.
 */
export const requireErrorOf = (error: unknown, specifier: string, referrerFile: string | undefined): unknown => {
  if (!isCordonError(error)) return error;
  if (error.code === 'CORDON_PACKAGE_PATH_NOT_EXPORTED') {
    return Object.assign(new Error(`Package subpath of ${JSON.stringify(specifier)} is not defined by "exports"${referrerFile ? ` (required by ${referrerFile})` : ''}`, { cause: error }), {
      code: 'ERR_PACKAGE_PATH_NOT_EXPORTED',
    });
  }
  if (!notFoundCodes.has(error.code)) return error;
  const stack = referrerFile === undefined ? [] : [referrerFile];
  const message = `Cannot find module '${specifier}'${stack.length ? `\nRequire stack:\n${stack.map(file => `- ${file}`).join('\n')}` : ''}`;
  return Object.assign(new Error(message, { cause: error }), { code: 'MODULE_NOT_FOUND', requireStack: stack });
};
