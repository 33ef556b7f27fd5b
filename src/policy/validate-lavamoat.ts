/**
 * LavaMoat's `policy.json` (and `policy-override.json`): every problem reported with its JSON path,
 * and a clean copy of what was valid (null-prototype records, own data only).
 */
import { builtinNameOf } from '../model/index.js';
import type { HostPermissionGrants, LavaMoatPolicy, LavaMoatResourcePolicy } from './types.js';
import { hierarchyMessage, hierarchyViolations } from './paths.js';
import {
  checkBoolean,
  checkCanonicalName,
  checkDottedPath,
  checkKeys,
  checkString,
  copyJsonValue,
  fieldPath,
  indexPath,
  keyPath,
  MAX_RESOURCES,
  type Problems,
  readArray,
  readObject,
  record,
} from './problems.js';

const TOP_KEYS = ['resources', 'root', 'include', 'resolutions'];
const RESOURCE_KEYS = ['globals', 'builtin', 'packages', 'native', 'meta', 'permissions'];
const PERMISSION_KINDS = ['read', 'write', 'net', 'run', 'env'];
const GLOBAL_VALUES: readonly unknown[] = [true, false, 'write', 'redefine', 'read'];

const explainResourceKey = (key: string): string | undefined => {
  if (key === 'env') return 'unknown key ("env" is read only by the classic lavamoat-node runtime; Cordon does not run packages unfrozen)';
  return undefined;
};

/** `node:fs.readFile` → `fs.readFile`: the key as Cordon compares builtin paths. */

const checkHierarchy = (items: Map<string, unknown>, path: string, problems: Problems): void => {
  for (const violation of hierarchyViolations(items)) problems.add(keyPath(path, violation.path), hierarchyMessage(violation));
};

const readGlobals = (value: unknown, path: string, problems: Problems): LavaMoatResourcePolicy['globals'] => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items = new Map<string, unknown>();
  for (const [key, access] of entries) {
    const at = keyPath(path, key);
    const validPath = checkDottedPath(key, at, problems);
    if (!GLOBAL_VALUES.includes(access)) problems.expected(at, 'true, false, "write", "redefine" or "read"', access);
    else if (validPath) items.set(key, access);
  }
  checkHierarchy(items, path, problems);
  return record(items) as LavaMoatResourcePolicy['globals'];
};

const readBuiltin = (value: unknown, path: string, problems: Problems): LavaMoatResourcePolicy['builtin'] => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items = new Map<string, boolean>();
  const compared = new Map<string, unknown>();
  for (const [key, allowed] of entries) {
    const at = keyPath(path, key);
    const bare = builtinNameOf(key);
    let validPath = checkDottedPath(bare, at, problems);
    const dot = bare.indexOf('.');
    if (validPath && (dot === -1 ? bare : bare.slice(0, dot)).split('/').includes('')) {
      problems.add(at, `the builtin ${JSON.stringify(key)} has an empty "/" segment`);
      validPath = false;
    }
    if (checkBoolean(allowed, at, problems) && validPath) {
      items.set(key, allowed);
      compared.set(bare, allowed);
    }
  }
  checkHierarchy(compared, path, problems);
  return record(items);
};

const readBooleanRecord = (value: unknown, path: string, problems: Problems, names: boolean): Record<string, boolean> | undefined => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  const items: [string, boolean][] = [];
  for (const [key, allowed] of entries) {
    const at = keyPath(path, key);
    const validName = !names || checkCanonicalName(key, at, problems);
    if (checkBoolean(allowed, at, problems) && validName) items.push([key, allowed]);
  }
  return record(items);
};

/** Cordon's `permissions`: per kind, a list of flag items (paths, hosts, programs, keys, or "*"). */
const readPermissions = (value: unknown, path: string, problems: Problems): HostPermissionGrants | undefined => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  checkKeys(entries, PERMISSION_KINDS, path, problems);
  const result: [string, string[]][] = [];
  for (const [kind, items] of entries) {
    const at = fieldPath(path, kind);
    const list = readArray(items, at, problems, 1000);
    if (!list || !PERMISSION_KINDS.includes(kind)) continue;
    const strings: string[] = [];
    list.forEach((item, index) => {
      const where = indexPath(at, index);
      if (!checkString(item, where, problems)) return;
      if (item.includes('\0') || item.includes(',')) problems.add(where, 'a permission item may hold neither a null byte nor a comma (one item per string)');
      else strings.push(item);
    });
    result.push([kind, strings]);
  }
  return record(result) as HostPermissionGrants;
};

const readResource = (value: unknown, path: string, problems: Problems): LavaMoatResourcePolicy | undefined => {
  const entries = readObject(value, path, problems);
  if (!entries) return undefined;
  checkKeys(entries, RESOURCE_KEYS, path, problems, explainResourceKey);
  const result: Record<string, unknown> = Object.create(null);
  for (const [key, item] of entries) {
    const at = fieldPath(path, key);
    if (key === 'globals') result.globals = readGlobals(item, at, problems);
    else if (key === 'builtin') result.builtin = readBuiltin(item, at, problems);
    else if (key === 'packages') result.packages = readBooleanRecord(item, at, problems, true);
    else if (key === 'native') result.native = checkBoolean(item, at, problems) ? item : undefined;
    else if (key === 'permissions') result.permissions = readPermissions(item, at, problems);
    else if (key === 'meta') {
      const meta = readObject(item, at, problems);
      if (meta) result.meta = record(meta.map(([name, value]) => [name, copyJsonValue(value, keyPath(at, name), problems, 2)]));
    }
  }
  return result as LavaMoatResourcePolicy;
};

const readInclude = (value: unknown, problems: Problems): LavaMoatPolicy['include'] => {
  const elements = readArray(value, 'include', problems);
  if (!elements) return undefined;
  const include: (string | { name: string; entry: string })[] = [];
  elements.forEach((element, index) => {
    const at = indexPath('include', index);
    if (typeof element === 'string') {
      if (checkCanonicalName(element, at, problems)) include.push(element);
      return;
    }
    const entries = readObject(element, at, problems);
    if (!entries) return;
    checkKeys(entries, ['name', 'entry'], at, problems);
    const fields = new Map(entries);
    const name = fields.get('name');
    const entry = fields.get('entry');
    const validName = checkString(name, fieldPath(at, 'name'), problems) && checkCanonicalName(name, fieldPath(at, 'name'), problems);
    if (checkString(entry, fieldPath(at, 'entry'), problems) && validName) include.push(record([['name', name], ['entry', entry]]) as { name: string; entry: string });
  });
  return include;
};

const readRoot = (value: unknown, problems: Problems): LavaMoatPolicy['root'] => {
  const entries = readObject(value, 'root', problems);
  if (!entries) return undefined;
  checkKeys(entries, ['usePolicy', 'permissions'], 'root', problems);
  const root: { usePolicy?: string; permissions?: HostPermissionGrants } = Object.create(null);
  for (const [key, name] of entries) {
    if (key === 'usePolicy' && checkString(name, 'root.usePolicy', problems) && checkCanonicalName(name, 'root.usePolicy', problems)) root.usePolicy = name;
    if (key === 'permissions') {
      const permissions = readPermissions(name, 'root.permissions', problems);
      if (permissions) root.permissions = permissions;
    }
  }
  return root;
};

const readResolutions = (value: unknown, problems: Problems): LavaMoatPolicy['resolutions'] => {
  const entries = readObject(value, 'resolutions', problems);
  if (!entries) return undefined;
  return record(
    entries.map(([name, redirects]) => {
      const at = keyPath('resolutions', name);
      const pairs = readObject(redirects, at, problems) ?? [];
      for (const [from, to] of pairs) checkString(to, keyPath(at, from), problems);
      return [name, record(pairs)];
    }),
  );
};

/** Checks `entries` (the top-level properties) as LavaMoat's format; the clean copy. */
export const readLavaMoatPolicy = (entries: readonly [string, unknown][], problems: Problems): LavaMoatPolicy => {
  checkKeys(entries, TOP_KEYS, '', problems);
  const result: Record<string, unknown> = Object.create(null);
  const fields = new Map(entries);
  if (!fields.has('resources')) problems.add('resources', 'is required');
  for (const [key, value] of entries) {
    if (key === 'resources') {
      const resources = readObject(value, 'resources', problems, MAX_RESOURCES);
      result.resources = record(
        (resources ?? []).flatMap(([name, policy]): [string, LavaMoatResourcePolicy][] => {
          const at = keyPath('resources', name);
          const validName = checkCanonicalName(name, at, problems);
          const resource = readResource(policy, at, problems);
          return resource && validName ? [[name, resource]] : [];
        }),
      );
    } else if (key === 'root') result.root = readRoot(value, problems);
    else if (key === 'include') result.include = readInclude(value, problems);
    else if (key === 'resolutions') result.resolutions = readResolutions(value, problems);
  }
  return result as unknown as LavaMoatPolicy;
};
