/**
 * The compartment map: which packages make up an application, how each reaches the others, and in
 * which language each file is written. This is the in-memory shape `mapNodeModules` returns (Endo's
 * `PackageCompartmentMapDescriptor`, keyed by package location), with two Cordon additions that Endo's
 * readers ignore: `requireModules` (where `require` resolves a dependency differently from `import`,
 * as Node does with the `require`/`import` conditions) and `missingDependencies`.
 */

/** A module reached in another compartment (or this one): `module` is its specifier there. */
export interface LinkModuleDescriptor {
  readonly compartment: string;
  readonly module: string;
}

/** A `*` pattern from `exports`/`imports`: `from` (specifier with `*`) maps to `to` (module with `*`) in `compartment`. */
export interface PatternDescriptor {
  readonly from: string;
  /** `null`: the subpath is excluded (a `null` target). */
  readonly to: string | null;
  readonly compartment: string;
  /** Which import kind it applies to; absent means both. */
  readonly kind?: 'import' | 'require';
}

export interface ScopeDescriptor {
  readonly compartment: string;
}

export type Language = string;

export interface PackageCompartmentDescriptor {
  /** Canonical name: `$root$` for the entry package, else the shortest dependency path (`a>b`). */
  label: string;
  /** The package's name as its dependent knows it (the dependency key), or its package.json name. */
  name: string;
  version: string;
  /** The package directory as a `file:` URL with a trailing `/` (also the key in `compartments`). */
  location: string;
  /** The package directory's base name (no other part of the building machine's path). */
  sourceDirname: string;
  /** Specifier → module in some compartment, for `import` (and `require` where no `requireModules` entry says otherwise). */
  modules: Record<string, LinkModuleDescriptor>;
  /** Cordon: specifier → module for `require`, where it differs from `modules`. */
  requireModules?: Record<string, LinkModuleDescriptor>;
  /** Dependencies without `exports`: any subpath may be reached (`dep/lib/x.js`). */
  scopes: Record<string, ScopeDescriptor>;
  patterns?: PatternDescriptor[];
  /** Extension → language. */
  parsers: Record<string, Language>;
  /** Module specifier → language, where a file's language differs from its extension's. */
  types: Record<string, Language>;
  /** Cordon: the package.json has no `type`, so its `.js` files holding ES module syntax are ES modules (Node's detection). */
  typeless?: true;
  /** The package's own `devDependencies` were graphed (the entry package with `dev`). */
  dev?: boolean;
  /** Cordon: declared, non-optional dependencies that are not installed (reported when imported). */
  missingDependencies?: string[];
  /**
   * Cordon: the object form of the package's `browser` field, when the `browser` condition applies:
   * a file (`./lib/node.js`, normalised) or a bare specifier → its replacement, or `false` for the
   * empty module.
   */
  browser?: Record<string, string | false> | undefined;
}

export interface PackageCompartmentMapDescriptor {
  /** The user's conditions (Endo calls them tags). */
  tags: string[];
  entry: LinkModuleDescriptor;
  compartments: Record<string, PackageCompartmentDescriptor>;
}
