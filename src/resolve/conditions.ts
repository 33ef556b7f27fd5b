/**
 * The conditions a specifier is resolved with, by import kind, as Node sets them: an ESM `import`
 * sees `import`, a CommonJS `require` sees `require`; both see `node` (Cordon runs on Node) and the
 * user's conditions; `default` always matches. (Endo: `import` always, `require` and `node` never,
 * whatever the importer.)
 */
export type ImportKind = 'import' | 'require';

export const conditionsFor = (kind: ImportKind, userConditions: Iterable<string> = []): ReadonlySet<string> =>
  new Set([kind, 'node', ...userConditions]);
