/**
 * Deno-style permission flags → a `PermissionSet`. Each flag value is a comma-separated list; each item
 * is a resource or `PKG=RESOURCE` (`PKG` a package name or canonical name, `PKG=*` all of the kind for
 * that package); a bare flag (`--allow-read`) allows all of its kind. Paths are relative to `cwd` and
 * have their symlinks resolved now (and requests are resolved again at the moment of use).
 */
import { CordonError } from '../diagnostics/index.js';
import { emptyPermissionSet, PERMISSION_NAMES, packageMatches, type PermissionName, type PermissionRule, type PermissionSet } from './permissions.js';
import { normalizeHostPort, resolvePath, resolveProgram } from './resources.js';

/** What the CLI collected: per kind, each flag's value (`true` for a bare flag). */
export interface PermissionFlags {
  readonly allow?: Partial<Record<PermissionName, readonly (string | true)[]>> | undefined;
  readonly deny?: Partial<Record<PermissionName, readonly (string | true)[]>> | undefined;
  /** `-A` / `--allow-all`. */
  readonly allowAll?: boolean | undefined;
}

export interface FlagContext {
  readonly cwd: string;
  /** The host's PATH, to find the programs `--allow-run` names. */
  readonly pathVariable?: string | undefined;
}

const PACKAGE_PART = /^(?:\$root\$|(?:@[a-z0-9~][\w.~-]*\/)?[a-z0-9~][\w.~-]*(?:>(?:@[a-z0-9~][\w.~-]*\/)?[a-z0-9~][\w.~-]*)*)$/i;

/** One resource of a kind in its one spelling. */
export const normalizeResource = (permission: PermissionName, value: string, context: FlagContext): string => {
  if (value === '') throw new TypeError('an empty resource');
  if (value.includes('\0')) throw new TypeError(`a resource with a null byte: ${JSON.stringify(value)}`);
  switch (permission) {
    case 'read':
    case 'write':
      return resolvePath(value, context.cwd);
    case 'net':
      return normalizeHostPort(value);
    case 'run':
      return resolveProgram(value, context.cwd, context.pathVariable);
    case 'env':
      return value;
  }
};

/** `reader=./data` → { package: 'reader', resource: '/abs/data' }; `./data` → { resource }; `reader=*` → { package }. */
export const parseRuleItem = (permission: PermissionName, item: string, context: FlagContext): PermissionRule => {
  const equals = item.indexOf('=');
  if (equals > 0 && PACKAGE_PART.test(item.slice(0, equals))) {
    const pkg = item.slice(0, equals);
    const value = item.slice(equals + 1);
    return value === '*' || value === '' ? { package: pkg } : { package: pkg, resource: normalizeResource(permission, value, context) };
  }
  return { resource: normalizeResource(permission, item, context) };
};

const invalid = (flag: string, message: string): CordonError =>
  new CordonError('CORDON_INVALID_PERMISSION_FLAG', `${flag}: ${message}`, { hint: 'See docs/permissions.md: --allow-read[=PATH,…], --allow-net[=HOST[:PORT],…], each item optionally PKG=RESOURCE.' });

export const parsePermissionFlags = (flags: PermissionFlags, context: FlagContext): PermissionSet => {
  const set = emptyPermissionSet() as { allow: Record<PermissionName, PermissionRule[]>; deny: Record<PermissionName, PermissionRule[]> };
  for (const mode of ['allow', 'deny'] as const) {
    for (const permission of PERMISSION_NAMES) {
      for (const value of flags[mode]?.[permission] ?? []) {
        const flag = `--${mode}-${permission}${value === true ? '' : `=${value}`}`;
        if (value === true) {
          set[mode][permission].push({});
          continue;
        }
        for (const item of value.split(',')) {
          if (item.trim() === '') throw invalid(flag, 'an empty item in the list');
          try {
            set[mode][permission].push(parseRuleItem(permission, item.trim(), context));
          } catch (error) {
            throw invalid(flag, (error as Error).message);
          }
        }
      }
    }
  }
  if (flags.allowAll) for (const permission of PERMISSION_NAMES) set.allow[permission].push({});
  return set;
};

/** Throws when a rule names a package the application does not have, naming those it has. */
export const checkRulePackages = (set: PermissionSet, canonicalNames: readonly string[], rootName: string | undefined): void => {
  const unknown = new Set<string>();
  for (const mode of [set.allow, set.deny]) {
    for (const permission of PERMISSION_NAMES) {
      for (const rule of mode[permission]) {
        // A policy file's keys (exact) are warned about with the policy's other unknown names, not refused.
        if (rule.package !== undefined && !rule.exact && !canonicalNames.some(name => packageMatches(rule.package, name, rootName))) unknown.add(rule.package);
      }
    }
  }
  if (unknown.size === 0) return;
  const names = [...new Set(canonicalNames.map(name => (name === '$root$' ? (rootName ?? name) : name)))].sort();
  throw new CordonError('CORDON_UNKNOWN_PACKAGE', `A permission names ${[...unknown].map(name => JSON.stringify(name)).join(', ')}, which ${unknown.size === 1 ? 'is not a package' : 'are not packages'} of this application; its packages are: ${names.join(', ')}`, {
    hint: 'Write PKG=RESOURCE with a package name (every package of that name) or a canonical name (a>b) from the list.',
  });
};

/** A policy file's host permissions (`resources[pkg].permissions`, `root.permissions`), by kind. */
export interface PolicyPermissions {
  readonly resources?: Readonly<Record<string, { readonly permissions?: Readonly<Partial<Record<PermissionName, readonly string[]>>> | undefined }>> | undefined;
  readonly root?: { readonly permissions?: Readonly<Partial<Record<PermissionName, readonly string[]>>> | undefined } | undefined;
}

/**
 * The rules a LavaMoat-format policy file grants (Cordon's `permissions` key): each resource's for that
 * canonical name only, the root's for the application's own package. Paths are relative to `context.cwd`
 * (the folder of the app's package.json, so the file means the same wherever `cordon run` is started).
 */
export const permissionsFromPolicy = (policy: PolicyPermissions | undefined, context: FlagContext): PermissionSet => {
  const set = emptyPermissionSet() as { allow: Record<PermissionName, PermissionRule[]>; deny: Record<PermissionName, PermissionRule[]> };
  if (policy === undefined || policy === null || typeof policy !== 'object') return set;
  const add = (pkg: string, grants: Readonly<Partial<Record<PermissionName, readonly string[]>>> | undefined, where: string) => {
    for (const permission of PERMISSION_NAMES) {
      for (const item of grants?.[permission] ?? []) {
        try {
          set.allow[permission].push(item === '*' ? { package: pkg, exact: true } : { package: pkg, exact: true, resource: normalizeResource(permission, item, context) });
        } catch (error) {
          throw new CordonError('CORDON_INVALID_POLICY', `${where}.permissions.${permission}: ${(error as Error).message}`, { hint: 'Each item is what an --allow-<kind>= flag would list for the package (a path, host[:port], program or key), or "*".' });
        }
      }
    }
  };
  for (const [name, resource] of Object.entries(policy.resources ?? {})) add(name, resource?.permissions, `resources[${JSON.stringify(name)}]`);
  add('$root$', policy.root?.permissions, 'root');
  return set;
};

/** Both sets' rules together. */
export const unitePermissionSets = (a: PermissionSet, b: PermissionSet): PermissionSet => {
  const set = emptyPermissionSet() as { allow: Record<PermissionName, PermissionRule[]>; deny: Record<PermissionName, PermissionRule[]> };
  for (const permission of PERMISSION_NAMES) {
    set.allow[permission].push(...a.allow[permission], ...b.allow[permission]);
    set.deny[permission].push(...a.deny[permission], ...b.deny[permission]);
  }
  return set;
};
