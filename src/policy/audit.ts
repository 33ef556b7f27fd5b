/**
 * A runtime audit merged into a generated policy: what each package really reached while the
 * application ran (package edges, builtins and their members, globals) is added to what static
 * analysis found. Grants only the audit saw are marked in the resource's `meta["cordon:audit"]` (a
 * sorted list of `builtin.fs.readFileSync`, `globals.fetch`, `packages.a>b` keys), so a reviewer sees
 * which part no static analysis backs; the rest is the static part.
 */
import { reduceToTopmost } from './generate.js';
import { ROOT_NAME } from './normalize.js';
import { compareCodePoints } from './readonly.js';
import type { LavaMoatPolicy, LavaMoatResourcePolicy } from './types.js';

/** One use the audit recorded (the shape of link's `AuditEvent`). */
export interface AuditedUse {
  readonly kind: 'package' | 'builtin' | 'module' | 'global';
  readonly canonicalName: string;
  readonly isEntry: boolean;
  readonly resource: string;
  readonly access: 'read' | 'write';
}

export const AUDIT_META_KEY = 'cordon:audit';

type Access = 'read' | 'write';

const sortedRecord = <V>(entries: Iterable<readonly [string, V]>): Record<string, V> => {
  const out: Record<string, V> = {};
  for (const [key, value] of [...entries].sort((a, b) => compareCodePoints(a[0], b[0]))) out[key] = value;
  return out;
};

/** `policy` with what `uses` show added; the root is left out unless `includeRoot` (LavaMoat trusts it). */
export const mergeAudit = (policy: LavaMoatPolicy, uses: Iterable<AuditedUse>, options: { includeRoot?: boolean } = {}): LavaMoatPolicy => {
  const byPackage = new Map<string, { globals: Map<string, Access>; builtin: Map<string, Access>; modules: Set<string>; packages: Set<string> }>();
  for (const use of uses) {
    if ((use.isEntry || use.canonicalName === ROOT_NAME) && !options.includeRoot) continue;
    let entry = byPackage.get(use.canonicalName);
    if (!entry) byPackage.set(use.canonicalName, (entry = { globals: new Map(), builtin: new Map(), modules: new Set(), packages: new Set() }));
    if (use.kind === 'package') entry.packages.add(use.resource);
    else if (use.kind === 'module') entry.modules.add(use.resource);
    else if (use.kind === 'builtin') entry.builtin.set(use.resource, 'read');
    else if (use.access === 'write' || !entry.globals.has(use.resource)) entry.globals.set(use.resource, use.access);
  }
  const resources: Record<string, LavaMoatResourcePolicy> = { ...policy.resources };
  for (const [name, audited] of byPackage) {
    const before = resources[name] ?? {};
    const added: string[] = [];
    const globals = new Map<string, Access>(Object.entries(before.globals ?? {}).flatMap(([key, value]): [string, Access][] => (value === false ? [] : [[key, value === 'write' ? 'write' : 'read']])));
    for (const [path, access] of audited.globals) {
      const covered = [...globals.keys()].some(key => key === path || path.startsWith(`${key}.`));
      if (!covered || (access === 'write' && globals.get(path) !== 'write')) {
        globals.set(path, access === 'write' ? 'write' : (globals.get(path) ?? 'read'));
        added.push(`globals.${path}`);
      }
    }
    const builtin = new Map<string, Access>(Object.entries(before.builtin ?? {}).filter(([, value]) => value === true).map(([key]) => [key, 'read']));
    const has = (path: string) => [...builtin.keys()].some(key => key === path || path.startsWith(`${key}.`));
    for (const path of audited.builtin.keys()) {
      if (!has(path)) {
        builtin.set(path, 'read');
        added.push(`builtin.${path}`);
      }
    }
    // A builtin resolved but none of its members read (passed along, used by a named import): all of it.
    for (const module of audited.modules) {
      if (![...builtin.keys()].some(key => key === module || key.startsWith(`${module}.`))) {
        builtin.set(module, 'read');
        added.push(`builtin.${module}`);
      }
    }
    const packages = new Set(Object.entries(before.packages ?? {}).filter(([, value]) => value === true).map(([key]) => key));
    for (const target of audited.packages) {
      if (!packages.has(target)) {
        packages.add(target);
        added.push(`packages.${target}`);
      }
    }
    if (added.length === 0) continue;
    const reducedGlobals = reduceToTopmost(globals);
    const reducedBuiltin = reduceToTopmost(builtin);
    const resource: { -readonly [K in keyof LavaMoatResourcePolicy]: LavaMoatResourcePolicy[K] } = {};
    if (reducedGlobals.size > 0) resource.globals = sortedRecord([...reducedGlobals].map(([key, access]): [string, true | 'write'] => [key, access === 'write' ? 'write' : true]));
    if (reducedBuiltin.size > 0) resource.builtin = sortedRecord([...reducedBuiltin.keys()].map((key): [string, boolean] => [key, true]));
    if (packages.size > 0) resource.packages = sortedRecord([...packages].map((key): [string, boolean] => [key, true]));
    if (before.native) resource.native = true;
    const previous = (before.meta?.[AUDIT_META_KEY] as string[] | undefined) ?? [];
    resource.meta = { ...before.meta, [AUDIT_META_KEY]: [...new Set([...previous, ...added])].sort(compareCodePoints) };
    resources[name] = resource;
  }
  return { ...policy, resources: sortedRecord(Object.entries(resources)) };
};
