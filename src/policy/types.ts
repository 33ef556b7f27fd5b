/**
 * The shapes of a policy: the two formats users write (Endo's policy object and LavaMoat's
 * `policy.json`) and the one normalised form the rest of Cordon queries. Canonical names are the
 * compartment map's labels (`$root$`, `a`, `a>b>c`).
 */

// ─── Endo's format (`@endo/compartment-mapper`'s `options.policy`) ───────────────────────────────

/** `[param, …]` (the default attenuator with these params) or `{ attenuate, params }`. */
export type EndoAttenuationDefinition = readonly unknown[] | { readonly attenuate: string; readonly params?: readonly unknown[] };

export interface EndoPackagePolicy {
  readonly packages?: 'any' | Readonly<Record<string, boolean>>;
  readonly globals?: 'any' | Readonly<Record<string, boolean | 'write'>> | EndoAttenuationDefinition;
  readonly builtins?: 'any' | Readonly<Record<string, boolean | EndoAttenuationDefinition>>;
  readonly noGlobalFreeze?: boolean;
  readonly defaultAttenuator?: string;
  readonly options?: unknown;
}

export interface EndoPolicy {
  readonly resources: Readonly<Record<string, EndoPackagePolicy>>;
  readonly entry?: EndoPackagePolicy;
  readonly defaultAttenuator?: string;
}

// ─── LavaMoat's format (`lavamoat/node/policy.json`) ─────────────────────────────────────────────

export interface LavaMoatResourcePolicy {
  /** Dotted paths (`process.env`, `Buffer.from`) → `true` (read), `false`, `"write"`, `"redefine"`. */
  readonly globals?: Readonly<Record<string, boolean | 'write' | 'redefine' | 'read'>>;
  /** Builtin module, or dotted member path (`fs`, `fs.readFileSync`, `fs/promises.readFile`) → allowed. */
  readonly builtin?: Readonly<Record<string, boolean>>;
  readonly packages?: Readonly<Record<string, boolean>>;
  readonly native?: boolean;
  readonly meta?: Readonly<Record<string, unknown>>;
  /** Cordon's host permissions for the package, as `--allow-*` flag items (`{ "read": ["./data"] }`). */
  readonly permissions?: HostPermissionGrants;
}

/** Host permissions in a policy file, by kind: the items a `--allow-<kind>=` flag would list (`"*"`: all of it). */
export type HostPermissionGrants = Readonly<Partial<Record<'read' | 'write' | 'net' | 'run' | 'env', readonly string[]>>>;

export interface LavaMoatPolicy {
  readonly resources: Readonly<Record<string, LavaMoatResourcePolicy>>;
  readonly root?: { readonly usePolicy?: string; readonly permissions?: HostPermissionGrants };
  readonly include?: readonly (string | { readonly name: string; readonly entry: string })[];
  readonly resolutions?: Readonly<Record<string, unknown>>;
}

export type PolicyFormat = 'endo' | 'lavamoat';

// ─── The normalised form (what enforcement reads) ───────────────────────────────────────────────

/** A module attenuator: a module of the attenuators compartment, called with these params. */
export interface AttenuatorCall {
  readonly attenuate: string;
  readonly params: readonly unknown[];
}

/** What one builtin grant gives: the whole module, only these members, or an attenuator's result. */
export type BuiltinGrant =
  | { readonly kind: 'all' }
  /** Member paths (`readFileSync`, `promises.readFile`): a fresh hardened object holding only those. */
  | { readonly kind: 'members'; readonly members: readonly string[] }
  | { readonly kind: 'attenuate'; readonly call: AttenuatorCall };

/** `read`: the value (or an attenuated view for dotted grants); `write`: shared among writers. */
export type GlobalAccess = 'read' | 'write';

/** One package's grants, normalised from either format. */
export interface PackageGrants {
  /** Canonical names of the packages it may import (`any`: all it declares). */
  readonly packages: 'any' | ReadonlySet<string>;
  /** Global paths (`console`, `process.env`, `Buffer.from`) → access (`any`: every global given). */
  readonly globals: 'any' | ReadonlyMap<string, GlobalAccess>;
  /** An Endo globals attenuator, when the policy gives one instead of a record. */
  readonly globalsAttenuator?: AttenuatorCall | undefined;
  /** Builtin specifier without `node:` (`fs`, `fs/promises`) → what is given (`any`: all). */
  readonly builtins: 'any' | ReadonlyMap<string, BuiltinGrant>;
  /** Native addons (`.node` files, `process.dlopen`). */
  readonly native: boolean;
  /** Endo's `noGlobalFreeze`. */
  readonly noGlobalFreeze: boolean;
  /** Where each grant came from, for explaining denials: `"policy.json"` or `"policy-override.json"`. */
  readonly source?: string | undefined;
}

/** A policy as enforcement queries it (made by `normalizePolicy`). */
export interface NormalizedPolicy {
  readonly format: PolicyFormat;
  /**
   * The grants of a package, by canonical name; `undefined` means unrestricted (the trusted root:
   * Endo's absent `entry`, LavaMoat's root without `root.usePolicy`). A name the policy does not
   * list gets nothing (`EMPTY_GRANTS`).
   */
  grantsFor(canonicalName: string, isEntry: boolean): PackageGrants | undefined;
  /** Canonical names the policy names (resources, and targets in `packages`). */
  readonly names: readonly string[];
  /** The default module/globals attenuator's specifier, if any (Endo's `defaultAttenuator`). */
  readonly defaultAttenuator?: string | undefined;
  /** Specifiers of every attenuator the policy uses (loaded from the entry package's dependencies). */
  readonly attenuators: readonly string[];
  /** The policy in the format it was given (frozen copy), for archives and explanations. */
  readonly original: EndoPolicy | LavaMoatPolicy;
}
