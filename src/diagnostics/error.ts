import { errorCodes, type ErrorCode } from './codes.js';

/** Where an error happened and what it concerns; every field is optional. */
export interface ErrorDetails {
  /** The file (a URL or path) the error concerns. */
  file?: string | undefined;
  /** 1-based line in `file`. */
  line?: number | undefined;
  /** 0-based column in `file` (as V8 and source maps count). */
  column?: number | undefined;
  /** The module specifier being resolved or loaded. */
  specifier?: string | undefined;
  /** The canonical name of the package (e.g. `$root$`, `a>b`). */
  package?: string | undefined;
  /** What to do about it; defaults to the code's registered hint. */
  hint?: string | undefined;
  /** The underlying error. */
  cause?: unknown;
  /** Several underlying errors reported together (each with its own where). */
  errors?: readonly unknown[] | undefined;
}

/**
 * The one error class Cordon throws for problems it diagnoses. `code` is stable (see `codes.ts`);
 * the message says what went wrong and where; the structured fields repeat the where for tools.
 */
export class CordonError extends Error {
  readonly code: ErrorCode;
  readonly hint: string;
  readonly file: string | undefined;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly specifier: string | undefined;
  readonly package: string | undefined;
  readonly errors: readonly unknown[] | undefined;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    const where = formatWhere(details);
    super(where ? `${message} (${where})` : message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'CordonError';
    this.code = code;
    this.hint = details.hint ?? errorCodes[code].hint;
    this.file = details.file;
    this.line = details.line;
    this.column = details.column;
    this.specifier = details.specifier;
    this.package = details.package;
    this.errors = details.errors;
  }
}

const formatWhere = (details: ErrorDetails): string => {
  const parts: string[] = [];
  if (details.file !== undefined) {
    let at = details.file;
    if (details.line !== undefined) {
      at += `:${details.line}`;
      if (details.column !== undefined) at += `:${details.column + 1}`;
    }
    parts.push(`at ${at}`);
  }
  if (details.specifier !== undefined) parts.push(`specifier ${JSON.stringify(details.specifier)}`);
  if (details.package !== undefined) parts.push(`package ${details.package}`);
  return parts.join(', ');
};

export const isCordonError = (value: unknown): value is CordonError => value instanceof CordonError;
