/**
 * Resources, normalized so that one resource has one spelling whatever form a package writes it in,
 * and matched against rules:
 * - paths (`read`, `write`): absolute, with every symlink of the existing part resolved
 *   (`resolvePath`); a rule's path covers its subtree;
 * - hosts (`net`): `host` or `host:port`, the host lower-cased and, for IP literals, in one form
 *   (`2130706433`, `0x7f.1`, `[::ffff:127.0.0.1]` are all `127.0.0.1`; IPv6 in brackets, compressed);
 *   a rule without a port covers every port;
 * - programs (`run`): an absolute path (found on the PATH the child would use) or, for a rule naming
 *   a program not on the PATH, its name;
 * - environment keys (`env`): the key; a rule `AWS_*` covers every key with that prefix.
 */
import path from 'node:path';
import fs from 'node:fs';
import { isIP } from 'node:net';
import type { PermissionName } from './permissions.js';

export interface NormalizedRule {
  readonly package?: string | undefined;
  readonly resource?: string | undefined;
  readonly exact?: boolean | undefined;
}

/** For a denial: whether `resource` touches what the rule denies (a request for any port of a host includes its denied port). */
export const overlaps = (permission: PermissionName, rule: string, resource: string): boolean => {
  if (permission !== 'net') return matchesResource(permission, rule, resource);
  const [ruleHost, rulePort] = splitHostPort(rule);
  const [host, port] = splitHostPort(resource);
  return ruleHost === host && (rulePort === undefined || port === undefined || rulePort === port);
};

export const matchesResource = (permission: PermissionName, rule: string, resource: string): boolean => {
  switch (permission) {
    case 'read':
    case 'write':
      return resource === rule || rule === '/' || resource.startsWith(`${rule}/`);
    case 'net': {
      const [ruleHost, rulePort] = splitHostPort(rule);
      const [host, port] = splitHostPort(resource);
      return ruleHost === host && (rulePort === undefined || rulePort === port);
    }
    case 'env':
      return rule.endsWith('*') ? resource.startsWith(rule.slice(0, -1)) : rule === resource;
    case 'run':
      return rule === resource;
  }
};

/** `host:port` → [host, port]; `[::1]:80` → ['[::1]', '80']; `host` → [host, undefined]. */
export const splitHostPort = (value: string): [string, string | undefined] => {
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    const rest = value.slice(end + 1);
    return [value.slice(0, end + 1), rest.startsWith(':') ? rest.slice(1) : undefined];
  }
  const colon = value.lastIndexOf(':');
  // A bare IPv6 address (several colons, no brackets) has no port.
  if (colon < 0 || value.indexOf(':') !== colon) return [value, undefined];
  return [value.slice(0, colon), value.slice(colon + 1)];
};

/** One spelling of a host name or IP literal (WHATWG URL host parsing, IPv4-mapped IPv6 unmapped). */
export const normalizeHost = (given: string): string => {
  let host = given.trim().toLowerCase();
  if (host.endsWith('.')) host = host.slice(0, -1);
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) === 6) {
    let parsed: string;
    try {
      parsed = new URL(`http://[${bare}]/`).hostname;
    } catch {
      return `[${bare}]`;
    }
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/.exec(parsed);
    if (mapped) {
      const high = Number.parseInt(mapped[1]!, 16);
      const low = Number.parseInt(mapped[2]!, 16);
      return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
    }
    return parsed;
  }
  try {
    // Decimal, hexadecimal, octal and short IPv4 forms become dotted quads; names are IDNA-lowered.
    const parsed = new URL(`http://${bare}/`).hostname;
    return parsed === '' ? bare : parsed;
  } catch {
    return bare;
  }
};

/** `host[:port]` in its one spelling; throws a TypeError for a port that is not 0–65535. */
export const normalizeHostPort = (value: string): string => {
  const [host, port] = splitHostPort(value.trim());
  const normalized = normalizeHost(host);
  if (port === undefined || port === '') return normalized;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) throw new TypeError(`invalid port ${JSON.stringify(port)} in ${JSON.stringify(value)}`);
  return `${normalized.includes(':') && !normalized.startsWith('[') ? `[${normalized}]` : normalized}:${Number(port)}`;
};

/** The host part of a normalized `host[:port]`, for names (`localhost`) and messages. */
export const hostOf = (value: string): string => splitHostPort(value)[0];

/**
 * An absolute path with the symlinks of its existing part resolved (the part that does not exist yet
 * is appended as written, `..` already folded): what a rule and a request are compared as.
 */
export const resolvePath = (given: string, cwd: string, realpath: (p: string) => string = fs.realpathSync.native): string => {
  const absolute = path.resolve(cwd, given);
  let existing = absolute;
  const rest: string[] = [];
  for (;;) {
    try {
      const real = realpath(existing);
      return rest.length === 0 ? real : path.join(real, ...rest.reverse());
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) return absolute;
      rest.push(path.basename(existing));
      existing = parent;
    }
  }
};

/** The program a command names, found as the child would find it (`PATH` of its environment); a path is resolved against `cwd`. */
export const resolveProgram = (command: string, cwd: string, pathVariable: string | undefined, exists: (p: string) => boolean = isExecutable): string => {
  if (command.includes('/')) return resolvePath(command, cwd);
  for (const directory of (pathVariable ?? '').split(path.delimiter)) {
    if (directory === '') continue;
    const candidate = path.resolve(cwd, directory, command);
    if (exists(candidate)) return resolvePath(candidate, cwd);
  }
  return command;
};

const isExecutable = (file: string): boolean => {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
};
