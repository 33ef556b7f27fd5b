/**
 * A denial, explained: which package (its chain from the application), what it reached, where, the
 * policy key that would allow it and a ready-to-paste `policy-override.json` snippet, in the format
 * of the policy in force.
 */
import { CordonError } from '../diagnostics/index.js';
import type { PolicyFormat } from './types.js';

export type DeniedKind = 'package' | 'builtin' | 'global' | 'native';

export interface Denial {
  readonly kind: DeniedKind;
  /** The requesting package's canonical name (`$root$`, `reader>evil`). */
  readonly canonicalName: string;
  /** The application's own package name, to write the chain (`app>reader>evil`). */
  readonly rootName?: string | undefined;
  /** What was reached: a package's canonical name, a builtin (`fs`, `fs/promises`), a global path. */
  readonly resource: string;
  /** The specifier as written (`node:fs`, `../evil/index.js`), when there is one. */
  readonly specifier?: string | undefined;
  readonly file?: string | undefined;
  readonly line?: number | undefined;
  readonly column?: number | undefined;
  readonly format: PolicyFormat;
}

/** The denial's field in the policy's format: LavaMoat's `builtin` / Endo's `builtins`. */
const fieldOf = (kind: DeniedKind, format: PolicyFormat): string => {
  switch (kind) {
    case 'package':
      return 'packages';
    case 'builtin':
      return format === 'lavamoat' ? 'builtin' : 'builtins';
    case 'global':
      return 'globals';
    default:
      return 'native';
  }
};

/** The resource key the override needs: the entry of an Endo policy is `entry`, LavaMoat's root needs `root.usePolicy`. */
const overrideOf = (denial: Denial): { key: string; snippet: unknown } => {
  const field = fieldOf(denial.kind, denial.format);
  const grant = denial.kind === 'native' ? true : { [denial.resource]: true };
  const isRoot = denial.canonicalName === '$root$';
  if (isRoot && denial.format === 'endo') {
    return { key: `entry.${field}${denial.kind === 'native' ? '' : `[${JSON.stringify(denial.resource)}]`}`, snippet: { entry: { [field]: grant } } };
  }
  const key = `resources[${JSON.stringify(denial.canonicalName)}].${field}${denial.kind === 'native' ? '' : `[${JSON.stringify(denial.resource)}]`}`;
  return { key, snippet: { resources: { [denial.canonicalName]: { [field]: grant } } } };
};

export const chainOf = (canonicalName: string, rootName: string | undefined): string => {
  const root = rootName ?? '$root$';
  return canonicalName === '$root$' ? root : `${root}>${canonicalName}`;
};

const whatOf = (denial: Denial): string => {
  switch (denial.kind) {
    case 'package':
      return `package ${denial.resource}${denial.specifier !== undefined && denial.specifier !== denial.resource ? ` (as ${JSON.stringify(denial.specifier)})` : ''}`;
    case 'builtin':
      return `builtin ${JSON.stringify(denial.resource)}${denial.specifier !== undefined && denial.specifier !== denial.resource ? ` (as ${JSON.stringify(denial.specifier)})` : ''}`;
    case 'global':
      return `global ${denial.resource}`;
    default:
      return `a native addon${denial.specifier ? ` (${denial.specifier})` : ''}`;
  }
};

export interface PolicyDenialError extends CordonError {
  readonly policyKey: string;
  readonly override: unknown;
  readonly chain: string;
  readonly resource: string;
}

/** The error a denied reach throws (`CORDON_POLICY_DENIED`), with the key and snippet that would allow it. */
export const denialError = (denial: Denial): PolicyDenialError => {
  const { key, snippet } = overrideOf(denial);
  const chain = chainOf(denial.canonicalName, denial.rootName);
  const file = denial.format === 'lavamoat' ? 'policy-override.json' : 'the policy';
  const error = new CordonError('CORDON_POLICY_DENIED', `Policy denies ${chain} (package ${denial.canonicalName}) access to ${whatOf(denial)}`, {
    file: denial.file,
    line: denial.line,
    column: denial.column,
    specifier: denial.specifier,
    package: denial.canonicalName,
    hint: `If ${denial.canonicalName} should have it, allow ${key} in ${file}: ${JSON.stringify(snippet)}`,
  });
  Object.defineProperties(error, {
    policyKey: { value: key, enumerable: true },
    override: { value: snippet, enumerable: true },
    chain: { value: chain, enumerable: true },
    resource: { value: denial.resource, enumerable: true },
  });
  return error as PolicyDenialError;
};
