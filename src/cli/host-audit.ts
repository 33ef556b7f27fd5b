/**
 * `cordon policy generate --audit` with host permissions: the run is allowed everything, and every host
 * resource a package used (files, hosts, programs, environment keys) is proposed in the generated
 * policy as that package's `permissions` (`root.permissions` for the app's own package), so the policy
 * file can be reviewed and used as it is instead of a long list of flags. Paths are written relative to
 * the app's package when they are inside it (the policy file's paths are read relative to it).
 */
import path from 'node:path';
import type { AccessRequest, PermissionName } from '../host.js';

type Grants = Partial<Record<PermissionName, string[]>>;

const displayOf = (request: AccessRequest, appRoot: string): string => {
  if (request.resource === undefined) return '*';
  if (request.permission !== 'read' && request.permission !== 'write') return request.resource;
  const relative = path.relative(appRoot, request.resource);
  return relative === '' ? '.' : relative.startsWith('..') || path.isAbsolute(relative) ? request.resource : `./${relative}`;
};

/** `policy` with each package's audited host resources added to its `permissions` (sorted, unique). */
export const mergeHostAudit = <P extends { resources: Record<string, unknown>; root?: unknown }>(policy: P, requests: readonly AccessRequest[], appRoot: string): P => {
  const byPackage = new Map<string, Map<PermissionName, Set<string>>>();
  for (const request of requests) {
    let kinds = byPackage.get(request.package);
    if (!kinds) byPackage.set(request.package, (kinds = new Map()));
    let items = kinds.get(request.permission);
    if (!items) kinds.set(request.permission, (items = new Set()));
    items.add(displayOf(request, appRoot));
  }
  const resources: Record<string, unknown> = { ...policy.resources };
  let root = policy.root as Record<string, unknown> | undefined;
  for (const [name, kinds] of [...byPackage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const grants: Grants = {};
    for (const [kind, items] of [...kinds].sort(([a], [b]) => (a < b ? -1 : 1))) grants[kind] = [...items].sort();
    if (name === '$root$') root = { ...(root ?? {}), permissions: grants };
    else resources[name] = { ...((resources[name] as object | undefined) ?? {}), permissions: grants };
  }
  return { ...policy, resources, ...(root === undefined ? {} : { root }) };
};
