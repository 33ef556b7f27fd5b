/**
 * The registry of Cordon error codes. Codes are permanent: once published a code keeps its meaning,
 * and each has a page under `docs/errors/<CODE>.md` (a test checks that every code has one).
 */
export const errorCodes = {
  CORDON_SYNTAX_ERROR: {
    title: 'A module could not be parsed',
    hint: 'Fix the syntax error at the reported file, line and column, or check that the file is in the language Cordon chose for it.',
  },
  CORDON_TOP_LEVEL_AWAIT: {
    title: 'Top-level await is not supported',
    hint: 'SES runs module bodies synchronously. Move the await into an async function that the module calls, or export a promise.',
  },
  CORDON_CENSORED_TEXT: {
    title: 'Text that SES rejects could not be rewritten',
    hint: 'The module holds `import(` or an HTML comment token in a place Cordon cannot rewrite without changing its meaning. Please report the file.',
  },
  CORDON_INVALID_JSON: {
    title: 'A JSON module is not valid JSON',
    hint: 'Fix the JSON at the reported position.',
  },
  CORDON_INVALID_MODULE_RECORD: {
    title: 'A precompiled module record is malformed',
    hint: 'The pre-mjs-json or pre-cjs-json text does not have the shape Cordon and Endo write. Rebuild the archive that holds it.',
  },
  CORDON_INVALID_ARGUMENT: {
    title: 'An argument or option has the wrong type or value',
    hint: 'Check the call against the documented signature.',
  },
  CORDON_REQUIRE_NOT_FOUND: {
    title: 'A CommonJS require could not be satisfied',
    hint: 'The specifier was not among the requires found statically and no dynamic resolver was given. Provide one (for example through synchronous read powers) or make the require static.',
  },
} as const satisfies Record<string, { title: string; hint: string }>;

export type ErrorCode = keyof typeof errorCodes;
