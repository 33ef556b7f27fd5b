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
    title: 'Top-level await cannot run here',
    hint: "Top-level await needs Cordon's module evaluation: import the module through Cordon's loaders without the compartment \"transforms\" option (give module transforms as __shimTransforms__).",
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
  CORDON_INVALID_PACKAGE_JSON: {
    title: 'A package.json is not valid',
    hint: 'Fix the package.json named in the message: it must be a JSON object, and the fields Cordon reads (name, version, type, main, exports, imports, browser, dependencies…) must have the types npm and Node expect.',
  },
  CORDON_INVALID_PACKAGE_TARGET: {
    title: 'A package.json exports or imports target is invalid',
    hint: 'Targets must be relative paths starting with "./" that stay inside the package (no "..", "." or node_modules segments); only "imports" may name another package.',
  },
  CORDON_INVALID_SPECIFIER: {
    title: 'A module specifier is invalid',
    hint: 'Check the specifier: "#" alone and "#/…" are not valid imports, and a pattern may not expand to "..", "." or node_modules segments.',
  },
  CORDON_PACKAGE_PATH_NOT_EXPORTED: {
    title: 'A package does not export the requested subpath',
    hint: 'Import a subpath the package lists in its "exports" field (for the conditions in use), or ask its maintainers to export it.',
  },
  CORDON_PACKAGE_IMPORT_NOT_DEFINED: {
    title: 'A "#" import is not defined by the package',
    hint: 'Add the specifier to the "imports" field of the importing package\'s package.json.',
  },
  CORDON_DEPENDENCY_NOT_FOUND: {
    title: 'A declared dependency is not installed',
    hint: 'Install the dependency (npm install), or mark it optional (optionalDependencies, peerDependenciesMeta) if the package can run without it.',
  },
  CORDON_ENTRY_NOT_FOUND: {
    title: 'The entry module or its package could not be found',
    hint: 'Check the path of the entry module; it must be inside a folder with a package.json (the app\'s own).',
  },
  CORDON_MODULE_NOT_FOUND: {
    title: 'A module could not be found',
    hint: 'Check the specifier and the file it should name. ES modules need the full file name (with extension), as in Node; CommonJS requires may omit it.',
  },
  CORDON_UNDECLARED_DEPENDENCY: {
    title: 'A package imports a package it does not declare',
    hint: 'Add the imported package to the importing package\'s dependencies (or peerDependencies) in its package.json. Cordon gives each package only what it declares.',
  },
  CORDON_NO_PARSER: {
    title: 'No parser for a module\'s language',
    hint: 'Give the language a parser (parserForLanguage), map the extension to a known language (languageForExtension, the package\'s "parsers" field), or do not import the file.',
  },
  CORDON_HOST_MODULE_NOT_FOUND: {
    title: 'A host module was not provided',
    hint: 'Provide the module through the modules option or an importHook (cordon run provides Node\'s builtins).',
  },
  CORDON_LOAD_FAILED: {
    title: 'An application could not be loaded',
    hint: 'See each underlying error (error.errors): each names its package, specifier and file.',
  },
  CORDON_NO_COMPARTMENT: {
    title: 'SES is not initialised',
    hint: 'Import "ses" and call lockdown() before loading an application, or pass a Compartment constructor in the options.',
  },
  CORDON_DYNAMIC_REQUIRE_UNAVAILABLE: {
    title: 'A dynamic require needs synchronous read powers',
    hint: 'Pass read powers made by makeReadNowPowers (or with maybeReadNow, fileURLToPath and isAbsolute), use only synchronous parsers, and no asynchronous moduleTransforms.',
  },
  CORDON_ARCHIVE_CORRUPT: {
    title: 'An archive is not a valid zip',
    hint: 'The file is damaged or not an archive. Make it again with cordon pack (or Endo\'s makeArchive).',
  },
  CORDON_ARCHIVE_UNSAFE_NAME: {
    title: 'An archive entry has an unsafe name',
    hint: 'Entry names must be relative paths without "..", ".", empty segments, backslashes or a drive or root. Do not run this archive.',
  },
  CORDON_ARCHIVE_DUPLICATE_ENTRY: {
    title: 'An archive holds two entries with one name',
    hint: 'A zip with duplicate names can show different files to different readers. Do not run this archive.',
  },
  CORDON_ARCHIVE_TOO_LARGE: {
    title: 'An archive exceeds a size limit',
    hint: 'If you trust the archive, raise the limit (maxEntryBytes, maxTotalBytes, maxEntries, maxCompressionRatio).',
  },
  CORDON_ARCHIVE_INVALID_MAP: {
    title: 'An archive\'s compartment-map.json is invalid',
    hint: 'The map does not have the shape Cordon and Endo write. Do not run this archive; make it again.',
  },
  CORDON_ARCHIVE_MISSING_FILE: {
    title: 'An archive lacks a file its map names',
    hint: 'The archive is incomplete or was altered. Make it again.',
  },
  CORDON_ARCHIVE_EXTRANEOUS_FILE: {
    title: 'An archive holds a file its map does not name',
    hint: 'An archive must hold exactly the files of its map. Do not run this archive.',
  },
  CORDON_ARCHIVE_HASH_MISMATCH: {
    title: 'An archive does not match its hashes',
    hint: 'A module\'s bytes differ from the sha512 its map records, or the map differs from the expected sha512: the archive was altered or is not the one expected.',
  },
  CORDON_ARCHIVE_MODULE_MISSING: {
    title: 'A module is not in the archive',
    hint: 'The archive holds only what the application reached when it was made. Import the module statically (or with a literal import()/require()) so that it is archived, or provide it as a host module.',
  },
  CORDON_POLICY_DENIED: {
    title: 'The policy does not allow what a package reached',
    hint: 'The message names the package (its chain from the application), what it reached, where, and the policy key that would allow it. Add that key to policy-override.json (or the policy you pass) only if the package should have it.',
  },
  CORDON_ARCHIVE_POLICY_DENIED: {
    title: 'An archive links what the host policy does not allow',
    hint: 'The archive\'s compartment map links a package or host module that the policy given to parseArchive/importArchive denies. Nothing ran. Rebuild the archive from a trusted source, or allow the link in the policy if it is intended.',
  },
  CORDON_FOREIGN_EXPORT_WRITE: {
    title: "A package tried to replace a function another package exports",
    hint: 'Under a policy, a package may read and configure the packages it imports, but not replace, redefine or delete the functions they export (that would change them for every other package). If the package instruments another on purpose, run it without a policy, or change the exporter through its own API.',
  },
  CORDON_INVALID_POLICY: {
    title: 'A policy is not valid',
    hint: 'Fix each problem listed (error.problems gives every one with its JSON path). A policy is either Endo\'s policy object or LavaMoat\'s policy.json, never a mix of the two, and a policy-override.json must use the same format as its policy.json.',
  },
  CORDON_UNKNOWN_POLICY_NAME: {
    title: 'A policy names packages the application does not have',
    hint: 'Policies are keyed by canonical names (a>b>c: the shortest path of dependencies from the application to the package). Correct or remove each name listed, or regenerate the policy for this install.',
  },
  CORDON_INVALID_PERMISSION_FLAG: {
    title: 'A permission flag is malformed',
    hint: 'Each --allow-x/--deny-x value is a comma-separated list of resources, each optionally PKG=RESOURCE (see docs/permissions.md).',
  },
  CORDON_UNKNOWN_PACKAGE: {
    title: 'A permission names a package the application does not have',
    hint: 'Write PKG=RESOURCE with a package name (every package of that name) or a canonical name (a>b) of this application.',
  },
  CORDON_MEMORY_LIMIT: {
    title: 'The guest exceeded its memory limit',
    hint: 'The application used more memory than --max-memory allows. Raise the limit if the use is expected.',
  },
  CORDON_CPU_LIMIT: {
    title: 'The guest exceeded its CPU-time limit',
    hint: 'The application used more CPU time than --max-cpu allows (exit code 124). Raise the limit if the work is expected.',
  },
  CORDON_BUNDLE_HOST_MODULE: {
    title: 'A bundle format cannot carry a host module',
    hint: "The module imports a host module (a Node builtin or a URL-scheme specifier) and the format has no way to reach one: make the script or functor with format: 'cjs' (the runtime option require provides host modules), or use the endoZipBase64 format, whose importBundle takes an importHook.",
  },
  CORDON_INVALID_BUNDLE: {
    title: 'A bundle is malformed',
    hint: 'The bundle object does not have the shape of its moduleFormat (a frozen object with the format\'s string fields). Make it again with bundleSource or cordon bundle.',
  },
  CORDON_BUNDLE_NOT_CHECKABLE: {
    title: 'A script bundle cannot be hash-checked',
    hint: 'checkBundle vouches only for endoZipBase64 bundles, which carry the sha512 of their compartment map. Make the bundle with the endoZipBase64 format (the default of bundleSource and cordon bundle) to check it.',
  },
  CORDON_BUNDLE_HASH_MISMATCH: {
    title: 'A bundle does not have the expected hash',
    hint: 'The bundle\'s endoZipBase64Sha512 (or the expectedSha512 you gave) does not match its compartment map: the bundle was changed or is not the one you meant. Make it again from its sources.',
  },
  CORDON_TYPESCRIPT_UNSUPPORTED: {
    title: 'TypeScript syntax that cannot be stripped',
    hint: 'Cordon runs TypeScript by blanking its types, as Node\'s --experimental-strip-types does; enums, namespaces with values, parameter properties, import x = require() and export = need code generated for them. Rewrite them in erasable syntax (a const object for an enum, ES modules for a namespace, assignments in the constructor for parameter properties, import/export or require), or compile the file to JavaScript first.',
  },
  CORDON_TYPESCRIPT_JSX: {
    title: 'JSX in a .tsx file',
    hint: 'Cordon strips types only; it does not transform JSX. Compile the .tsx file to JavaScript (or to .ts without JSX) before running it.',
  },
  CORDON_TYPESCRIPT_UNAVAILABLE: {
    title: 'The TypeScript stripper could not be loaded',
    hint: 'Cordon strips TypeScript with the amaro package, one of its dependencies: reinstall Cordon\'s dependencies (npm ci). A caller of the stripping functions must await loadTypeScriptStripper() first.',
  },
} as const satisfies Record<string, { title: string; hint: string }>;

export type ErrorCode = keyof typeof errorCodes;

/** Node's own codes that Cordon throws in Node's shape (the host bridge's denials); each has a page too. */
export const nodeShapedCodes: readonly string[] = Object.freeze(['ERR_ACCESS_DENIED']);
