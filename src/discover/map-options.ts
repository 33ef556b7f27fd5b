/**
 * The options of `mapNodeModules` (Endo's names) and their checking: unknown names are an error, and
 * a function that maps and then loads splits its options into the map's share and the rest.
 */
import { CordonError } from '../diagnostics/index.js';
import type { LanguageOptions } from './languages.js';

export interface MapNodeModulesOptions extends LanguageOptions {
  /** User conditions (`exports`/`imports` keys), besides `import`/`require`, `node` and `default`. */
  readonly conditions?: Iterable<string> | undefined;
  /** Endo's older name for `conditions`. */
  readonly tags?: Iterable<string> | undefined;
  /** Graph the entry package's `devDependencies` (also implied by the `development` condition). */
  readonly dev?: boolean | undefined;
  /** A missing non-optional dependency is an error now, not when it is imported. */
  readonly strict?: boolean | undefined;
  /** `{ alias: dependencyOfTheEntry }`: that dependency, reachable from every package under `alias`. */
  readonly commonDependencies?: Readonly<Record<string, string>> | undefined;
  readonly log?: ((...args: unknown[]) => void) | undefined;
}

/** The options `mapNodeModules` reads (Endo's names). */
export const MAP_OPTION_NAMES: readonly string[] = [
  'conditions',
  'tags',
  'dev',
  'strict',
  'commonDependencies',
  'log',
  'languages',
  'languageForExtension',
  'moduleLanguageForExtension',
  'commonjsLanguageForExtension',
  'workspaceLanguageForExtension',
  'workspaceModuleLanguageForExtension',
  'workspaceCommonjsLanguageForExtension',
];

/**
 * Splits the options of a function that maps and then loads (importLocation, makeArchive): the map's
 * share (with `log`, and `languages` from `parserForLanguage`) and the rest. Unknown options are an
 * error (`alsoAllowed` names the rest).
 */
export const splitMapOptions = (options: object, alsoAllowed: Iterable<string>): { mapOptions: MapNodeModulesOptions; rest: Record<string, unknown> } => {
  checkMapOptions(options, alsoAllowed);
  const mapOptions: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (MAP_OPTION_NAMES.includes(key) && key !== 'log' ? mapOptions : rest)[key] = value;
  const { log, parserForLanguage } = options as { log?: unknown; parserForLanguage?: object };
  if (log) mapOptions.log = log;
  if (parserForLanguage && !mapOptions.languages) mapOptions.languages = Object.keys(parserForLanguage);
  return { mapOptions: mapOptions as MapNodeModulesOptions, rest };
};

/** Options some callers pass to `mapNodeModules` along with their own: accepted by name, handled by them. */
export const checkMapOptions = (options: object, alsoAllowed: Iterable<string> = []): void => {
  const allowed = new Set([...MAP_OPTION_NAMES, ...alsoAllowed]);
  for (const key of Object.keys(options)) {
    if (!allowed.has(key)) {
      throw new CordonError('CORDON_INVALID_ARGUMENT', `Unknown option ${JSON.stringify(key)} (known: ${[...allowed].sort().join(', ')})`);
    }
  }
};
