/**
 * The compartments an archive's import builds, one per archived package, made when first reached, and
 * their hooks: resolution by the archive's own tables (`archiveSpecifier`), loading by the module's
 * parser. Module locations are names built by string rules, `<archive location>/<compartment>/<path>`
 * (see docs/locations.md); they are each module's `import.meta.url` and sourceURL, and what errors name.
 */
import { CordonError } from '../diagnostics/index.js';
import { exitViewOf, makeCompartmentMaker, makeExitProvider, makeModuleEvaluation, makeRequesters, type CompartmentInstance, type Enforcement, type ImportOptions } from '../link/index.js';
import { archiveSpecifier, type ArchiveCompartment, type ArchiveCompartmentMap, type ArchiveFileModule } from '../model/archive.js';
import { pathOfFileUrl } from '../model/file-url.js';
import { escapeUrlPath, isHierarchicalUrl, joinLocation, schemeOf } from '../model/location.js';
import type { ModuleSourceRecord, ParseOptions, ParserForLanguage } from '../model/module-source.js';
import { makeReexportedNames } from './reexports.js';

export interface ArchiveHookOptions extends ImportOptions {
  readonly parserForLanguage: ParserForLanguage;
  readonly computeSourceLocation?: ((compartmentName: string, moduleSpecifier: string) => string | undefined) | undefined;
  readonly computeSourceMapLocation?: ((details: { compartment: string; module: string; location: string; sha512?: string | undefined }) => string | undefined) | undefined;
}

const SCHEME_SPECIFIER = /^[a-zA-Z][a-zA-Z0-9+.-]*:/;
const LINE_BREAKS = /[\r\n\u2028\u2029]/g;

/** `__filename` of a module at `location`: the path of a `file:` URL, else the location itself. */
export const filenameOfLocation = (location: string): string => (schemeOf(location) === 'file:' ? (pathOfFileUrl(location) ?? location) : location);

/** Builds the compartments of one import of an archive; `note` records each problem a hook reports. */
export const makeArchiveCompartments = (
  map: ArchiveCompartmentMap,
  files: ReadonlyMap<string, Uint8Array>,
  archiveLocation: string,
  options: ArchiveHookOptions,
  note: (error: unknown) => unknown,
  enforcement?: Enforcement,
) => {
  const { parserForLanguage, computeSourceLocation, computeSourceMapLocation } = options;
  const evaluation = makeModuleEvaluation();
  const makeCompartment = makeCompartmentMaker(options, enforcement, evaluation);
  const hostModules = options.modules ?? {};
  const hasHook = options.importHook !== undefined || options.importNowHook !== undefined;
  const requesterOf = makeRequesters(map);
  const viewFor = exitViewOf(enforcement, requesterOf, options.hostBridge);
  options.hostBridge?.packages?.(Object.values(map.compartments).map(c => c.label), map.compartments[map.entry.compartment]?.name);
  const exitModule = makeExitProvider(hostModules, options.importHook, options.importNowHook, false, undefined, viewFor);
  const reexportedNames = makeReexportedNames(map, files);
  const compartments = new Map<string, CompartmentInstance>();
  const main: { module?: object | undefined } = {};
  const hierarchical = isHierarchicalUrl(archiveLocation);
  const byPackageName = new Map<string, ArchiveCompartment[]>();
  for (const compartment of Object.values(map.compartments)) {
    const list = byPackageName.get(compartment.name);
    if (list) list.push(compartment);
    else byPackageName.set(compartment.name, [compartment]);
  }

  const build = (name: string, compartment: ArchiveCompartment): CompartmentInstance => {
    const modules = compartment.modules;
    const packageLocation = `${joinLocation(archiveLocation, name)}/`;
    const kinds = new Map<string, 'import' | 'require'>();
    // joinLocation(archiveLocation, `${name}/${path}`), with the compartment's part made once.
    const fileLocation = hierarchical ? (path: string): string => `${packageLocation}${escapeUrlPath(path)}` : (path: string): string => `${packageLocation}${path}`;
    const locationOf = (specifier: string, path: string): string => computeSourceLocation?.(name, specifier) ?? fileLocation(path);
    const referrerLocation = (referrer: string): string => {
      const entry = modules[referrer];
      return entry && 'location' in entry ? locationOf(referrer, entry.location) : fileLocation(referrer.replace(/^\.\//, ''));
    };

    const checkExit = (exit: string, referrer: string): void => {
      try {
        enforcement!.checkExit(requesterOf(name), exit, { specifier: exit, file: referrerLocation(referrer) });
      } catch (error) {
        throw note(error);
      }
    };

    const resolveHook = (specifier: string, referrer: string): string => {
      const key = archiveSpecifier(referrer, specifier);
      if (kinds.get(referrer) === 'require' && Object.hasOwn(modules, `${key} (require)`)) return `${key} (require)`;
      if (Object.hasOwn(modules, key)) {
        const entry = modules[key]!;
        if (enforcement && 'exit' in entry) checkExit(entry.exit, referrer);
        return key;
      }
      if (Object.hasOwn(hostModules, key) || hasHook || SCHEME_SPECIFIER.test(key)) {
        // A host module the map does not name: checked as SES resolves it (static imports while
        // loading, before anything runs; computed ones where they are made).
        if (enforcement) checkExit(key, referrer);
        return key;
      }
      // Not archived for this package, and no host to ask: say so now, naming both packages if the
      // archive holds the package under another's authority.
      const packageName = key.startsWith('@') ? key.split('/').slice(0, 2).join('/') : key.split('/')[0]!;
      const owner = byPackageName.get(packageName)?.find(c => c !== compartment);
      const details = { file: referrerLocation(referrer), specifier, package: compartment.label };
      throw note(
        owner
          ? new CordonError('CORDON_UNDECLARED_DEPENDENCY', `Package ${compartment.label} imports ${JSON.stringify(specifier)}, but ${packageName} (${owner.label}) is not among its dependencies`, details)
          : new CordonError('CORDON_ARCHIVE_MODULE_MISSING', `Module ${JSON.stringify(specifier)} (imported by ${compartment.label}) is not in the archive`, details),
      );
    };

    const fromHost = (exitSpecifier: string, sync: boolean): unknown => {
      const missing = (): never => {
        throw note(
          new CordonError('CORDON_ARCHIVE_MODULE_MISSING', `Module ${JSON.stringify(exitSpecifier)} is not in the archive (imported in ${compartment.label}), and no host module of that name was given`, {
            file: archiveLocation,
            specifier: exitSpecifier,
            package: compartment.label,
          }),
        );
      };
      // Exits the archive's map names were checked before anything ran; this covers the ones it does not.
      if (enforcement) {
        try {
          enforcement.checkExit(requesterOf(name), exitSpecifier, { specifier: exitSpecifier, file: archiveLocation });
        } catch (error) {
          throw note(error);
        }
      }
      const found = exitModule(exitSpecifier, name, sync);
      return found instanceof Promise ? found.then(d => d ?? missing()) : found ?? missing();
    };

    /** The options a CommonJS-like parser receives: Node's module environment, by the archive's tables. */
    const commonJsOptions = (specifier: string, entry: ArchiveFileModule, filename: string): ParseOptions => {
      const isEntry = name === map.entry.compartment && specifier === map.entry.module;
      const resolve = (request: string) => resolveHook(request, specifier);
      const reexports = entry.parser === 'pre-cjs-json' ? reexportedNames(name, specifier) : [];
      return {
        ...(reexports.length > 0 ? { reexportedNames: reexports } : {}),
        filename,
        resolve,
        resolveImport: (request: string) => archiveSpecifier(specifier, request),
        ...(enforcement
          ? {
              requireView: (full: string, value: unknown) => {
                const target = modules[full];
                if (!target || !('compartment' in target) || target.compartment === name) return value;
                const exporter = map.compartments[target.compartment]?.label ?? target.compartment;
                return enforcement.foreignExports(requesterOf(name), exporter, `${target.compartment}/${target.module}`, value);
              },
            }
          : {}),
        requireResolve: (request: string) => {
          const key = resolve(request);
          let target = modules[key];
          // Follow a redirect inside the compartment (`./x` → `./x.js`).
          if (target && 'compartment' in target && target.compartment === name) target = modules[target.module];
          return target && 'location' in target ? filenameOfLocation(locationOf(key, target.location)) : request;
        },
        main: {
          isEntry,
          get module() {
            return main.module;
          },
          set module(value: object | undefined) {
            if (isEntry) main.module = value;
          },
        },
      };
    };

    const load = (specifier: string, sync: boolean): unknown => {
      const entry = modules[specifier];
      if (entry === undefined) return fromHost(specifier.endsWith(' (require)') ? specifier.slice(0, -10) : specifier, sync);
      if ('exit' in entry) return fromHost(entry.exit, sync);
      if ('deferredError' in entry) {
        const error = new CordonError('CORDON_ARCHIVE_MODULE_MISSING', entry.deferredError, { file: archiveLocation, specifier, package: compartment.label });
        return { source: { imports: [], exports: [], execute: () => { throw error; } } };
      }
      if ('compartment' in entry) return { namespace: entry.module, compartment: compartmentOf(entry.compartment) };
      const parser = parserForLanguage[entry.parser];
      if (!parser) {
        throw note(new CordonError('CORDON_NO_PARSER', `No parser for language ${JSON.stringify(entry.parser)} (${name}/${entry.location})`, { file: fileLocation(entry.location), package: compartment.label }));
      }
      const url = locationOf(specifier, entry.location);
      const filename = filenameOfLocation(url);
      const bytes = files.get(`${name}/${entry.location}`)!;
      let parseOptions: ParseOptions = { filename };
      if (parser.heuristicImports) {
        kinds.set(specifier, 'require');
        parseOptions = commonJsOptions(specifier, entry, filename);
      }
      const sourceMapUrl = computeSourceMapLocation?.({ compartment: name, module: specifier, location: entry.location, sha512: entry.sha512 });
      const finish = ({ record }: { record: ModuleSourceRecord }) => {
        let source = record;
        if (sourceMapUrl !== undefined && '__syncModuleProgram__' in source) {
          source = Object.freeze({ ...source, __syncModuleProgram__: `${source.__syncModuleProgram__}\n//# sourceMappingURL=${sourceMapUrl.replace(LINE_BREAKS, '')}` });
        }
        return { source, importMeta: { url } };
      };
      try {
        const parsed = parser.parse(bytes, specifier, url, packageLocation, parseOptions);
        return parsed instanceof Promise ? parsed.then(finish, error => { throw note(error); }) : finish(parsed);
      } catch (error) {
        throw note(error);
      }
    };

    return makeCompartment(
      compartment.label,
      {
        resolveHook,
        importHook: async (specifier: string) => load(specifier, false),
        importNowHook: (specifier: string) => load(specifier, true),
      },
      name === map.entry.compartment,
    );
  };

  /** The compartment of an archived package, made when first reached. */
  const compartmentOf = (name: string): CompartmentInstance => {
    let found = compartments.get(name);
    if (found === undefined) compartments.set(name, (found = build(name, map.compartments[name]!)));
    return found;
  };
  return { compartmentOf, entryCompartment: compartmentOf(map.entry.compartment), evaluation };
};
