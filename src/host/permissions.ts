/**
 * The permission engine: Deno-style grants (`--allow-read=./data`, `--deny-net=10.0.0.1`,
 * `--allow-env=reader=HOME`), decided per package and per resource. Every bridge-backed builtin asks
 * `access.check(permission, resource)` of the package that holds it (object capabilities: the requester
 * is the package whose `fs`, `net`, `process.env` … it is, never a stack walk). Deny wins over allow;
 * what no rule decides is asked (`prompt`) when a prompter is given, else denied.
 */
import { accessDenied } from './errors.js';
import { matchesResource, overlaps, type NormalizedRule } from './resources.js';

/** The kinds of host power, as Deno names their flags (`--allow-read` …). */
export type PermissionName = 'read' | 'write' | 'net' | 'run' | 'env';
export const PERMISSION_NAMES: readonly PermissionName[] = Object.freeze(['read', 'write', 'net', 'run', 'env']);

/**
 * One grant or denial: for one package (`package`: a package name, every package of that name, or a
 * canonical name `a>b`) or for all; for one resource (already normalized: an absolute path, `host[:port]`,
 * a program, an environment key) or, when `resource` is absent, for everything of its kind.
 */
export interface PermissionRule {
  readonly package?: string | undefined;
  readonly resource?: string | undefined;
  /** `package` is one canonical name only (a policy file's key), not every package of that name. */
  readonly exact?: boolean | undefined;
}

/** Every rule, by kind; what the CLI's flags and a policy file's `permissions` parse into. */
export interface PermissionSet {
  readonly allow: Readonly<Record<PermissionName, readonly PermissionRule[]>>;
  readonly deny: Readonly<Record<PermissionName, readonly PermissionRule[]>>;
}

export type Verdict = 'allow' | 'deny' | 'prompt';

/** A request a prompt is asked about. */
export interface AccessRequest {
  readonly package: string;
  readonly permission: PermissionName;
  /** Normalized resource (absolute path, `host:port`, program path, key); `undefined`: all of its kind. */
  readonly resource: string | undefined;
  /** How the package asked for it (`fs.readFileSync("/etc/passwd")`), for messages. */
  readonly what?: string | undefined;
}

/** A prompt's answer: once, deny, or always (the grant is remembered and written down). */
export type PromptAnswer = 'yes' | 'no' | 'always';

export interface EngineOptions {
  /** Asked synchronously (host calls such as `fs.readFileSync` decide at once); absent: deny. */
  readonly prompt?: ((request: AccessRequest) => PromptAnswer) | undefined;
  /** Told of every `always` answer (the CLI writes it into policy-override.json). */
  readonly remember?: ((request: AccessRequest) => void) | undefined;
  /** Told of every decision (`cordon policy generate --audit` records what each package used). */
  readonly observe?: ((request: AccessRequest, verdict: 'allow' | 'deny') => void) | undefined;
  /** The package that holds the app's entry (`$root$`) answers to this name too. */
  readonly rootName?: string | undefined;
}

/** What one package's bridge-backed builtins ask. */
export interface PackageAccess {
  /** The package's canonical name (`$root$` for the application's own package). */
  readonly canonicalName: string;
  /** Throws Node's `ERR_ACCESS_DENIED` unless allowed (asking, when prompting is on). */
  check(permission: PermissionName, resource: string | undefined, what?: string): void;
  /** Whether the rules allow it, without asking and without throwing. */
  allows(permission: PermissionName, resource: string | undefined): boolean;
  /** As `allows`, for a use (an environment key read): never asks, never throws, but is observed as a check is. */
  uses(permission: PermissionName, resource: string | undefined, what?: string): boolean;
}

export interface PermissionEngine {
  decide(canonicalName: string, permission: PermissionName, resource: string | undefined): Verdict;
  forPackage(canonicalName: string): PackageAccess;
  /** The rules in force (after prompts answered `always`). */
  readonly permissions: PermissionSet;
}

export const emptyPermissionSet = (): PermissionSet => ({
  allow: { read: [], write: [], net: [], run: [], env: [] },
  deny: { read: [], write: [], net: [], run: [], env: [] },
});

/** Every power for every package (`-A`). */
export const allowAllPermissionSet = (): PermissionSet => ({
  allow: { read: [{}], write: [{}], net: [{}], run: [{}], env: [{}] },
  deny: { read: [], write: [], net: [], run: [], env: [] },
});

/** Whether a rule for `pattern` covers the package `canonicalName` (its whole name, or its own package name). */
export const packageMatches = (pattern: string | undefined, canonicalName: string, rootName: string | undefined, exact = false): boolean => {
  if (pattern === undefined || pattern === canonicalName) return true;
  if (exact) return false;
  if (canonicalName === '$root$') return pattern === rootName;
  const last = canonicalName.lastIndexOf('>');
  return canonicalName.slice(last + 1) === pattern;
};

export const makePermissionEngine = (given: PermissionSet, options: EngineOptions = {}): PermissionEngine => {
  const allow = { read: [...given.allow.read], write: [...given.allow.write], net: [...given.allow.net], run: [...given.allow.run], env: [...given.allow.env] };
  const deny = given.deny;
  const { rootName } = options;
  const covers = (rules: readonly NormalizedRule[], permission: PermissionName, canonicalName: string, resource: string | undefined): boolean => {
    for (const rule of rules) {
      if (!packageMatches(rule.package, canonicalName, rootName, rule.exact)) continue;
      if (rule.resource === undefined) return true;
      // A request for all of a kind (`resource` undefined) is covered only by a rule for all of it.
      if (resource !== undefined && matchesResource(permission, rule.resource, resource)) return true;
    }
    return false;
  };
  const decide = (canonicalName: string, permission: PermissionName, resource: string | undefined): Verdict => {
    // A denial of one resource also refuses a request for every resource of the kind.
    const denied = deny[permission].some(rule => packageMatches(rule.package, canonicalName, rootName, rule.exact) && (rule.resource === undefined || resource === undefined || overlaps(permission, rule.resource, resource)));
    if (denied) return 'deny';
    if (covers(allow[permission], permission, canonicalName, resource)) return 'allow';
    return options.prompt ? 'prompt' : 'deny';
  };
  const made = new Map<string, PackageAccess>();
  const forPackage = (canonicalName: string): PackageAccess => {
    const known = made.get(canonicalName);
    if (known) return known;
    const allows = (permission: PermissionName, resource: string | undefined): boolean => decide(canonicalName, permission, resource) === 'allow';
    const check = (permission: PermissionName, resource: string | undefined, what?: string): void => {
      const request: AccessRequest = { package: canonicalName, permission, resource, what };
      let verdict = decide(canonicalName, permission, resource);
      if (verdict === 'prompt') {
        const answer = options.prompt!(request);
        if (answer === 'always') {
          allow[permission].push({ package: canonicalName, resource });
          options.remember?.(request);
        }
        verdict = answer === 'no' ? 'deny' : 'allow';
      }
      options.observe?.(request, verdict);
      if (verdict === 'deny') throw accessDenied(request, rootName);
    };
    const uses = (permission: PermissionName, resource: string | undefined, what?: string): boolean => {
      const allowed = allows(permission, resource);
      options.observe?.({ package: canonicalName, permission, resource, what }, allowed ? 'allow' : 'deny');
      return allowed;
    };
    const access = Object.freeze({ canonicalName, check, allows, uses });
    made.set(canonicalName, access);
    return access;
  };
  return Object.freeze({ decide, forPackage, get permissions(): PermissionSet { return { allow, deny }; } });
};
