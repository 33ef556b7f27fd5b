/**
 * The one door to the JavaScript parser (meriyah: pure JavaScript, ESTree, the fastest parser we measured
 * on Node 20 for many small files; see docs/ARCHITECTURE.md). Parse failures become CordonErrors.
 */
import { parseModule, parseScript, type ESTree } from 'meriyah';
import { CordonError } from '../diagnostics/index.js';

export type { ESTree };

export interface Comment {
  readonly type: string;
  readonly start: number;
  readonly end: number;
}

export interface ParsedProgram {
  readonly program: ESTree.Program;
  readonly comments: readonly Comment[];
}

interface MeriyahParseError {
  description?: string;
  loc?: { start?: { line?: number; column?: number } };
}

// start/end offsets only: the `range` arrays would be allocated for nothing.
const RANGES = { start: true, end: true, range: false };

const parseFailure = (error: unknown, file: string | undefined, goal: string): CordonError => {
  const e = error as MeriyahParseError;
  const line = e?.loc?.start?.line;
  const column = e?.loc?.start?.column;
  const description = e?.description ?? String((error as Error)?.message ?? error);
  return new CordonError('CORDON_SYNTAX_ERROR', `Cannot parse ${goal}: ${description}`, {
    file,
    line,
    column,
    cause: error,
  });
};

const MODULE_OPTIONS = { ranges: RANGES, next: true, validateRegex: false };

export const parseModuleText = (text: string, file: string | undefined, withComments: boolean): ParsedProgram => {
  const comments: Comment[] = [];
  try {
    const program = parseModule(
      text,
      withComments
        ? { ...MODULE_OPTIONS, onComment: (type: string, _value: string, start: number, end: number) => void comments.push({ type, start, end }) }
        : MODULE_OPTIONS,
    );
    return { program, comments };
  } catch (error) {
    throw parseFailure(error, file, 'ES module');
  }
};

/** CommonJS bodies: parsed as a function body in sloppy script goal with web-compatibility (HTML comments). */
export const parseScriptText = (text: string, file: string | undefined): ParsedProgram => {
  const comments: Comment[] = [];
  try {
    const program = parseScript(text, {
      ranges: RANGES,
      next: true,
      validateRegex: false,
      webcompat: true,
      globalReturn: true,
      onComment: (type: string, _value: string, start: number, end: number) => void comments.push({ type, start, end }),
    });
    return { program, comments };
  } catch (error) {
    throw parseFailure(error, file, 'CommonJS module');
  }
};
