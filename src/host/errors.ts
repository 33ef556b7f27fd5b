/**
 * A denied host call fails as Node's permission model fails one: an `Error` whose `code` is
 * `ERR_ACCESS_DENIED`, with `permission` (Node's names: `FileSystemRead`, `FileSystemWrite`,
 * `ChildProcess`, `Net`, `Environment`) and `resource`; Cordon adds the package and the flag that would
 * allow it, and says both in the message.
 */
import type { AccessRequest, PermissionName } from './permissions.js';

export const NODE_PERMISSION: Readonly<Record<PermissionName, string>> = Object.freeze({
  read: 'FileSystemRead',
  write: 'FileSystemWrite',
  net: 'Net',
  run: 'ChildProcess',
  env: 'Environment',
});

const VERB: Readonly<Record<PermissionName, string>> = Object.freeze({
  read: 'read',
  write: 'write',
  net: 'reach',
  run: 'run',
  env: 'read the environment variable',
});

const NOUN: Readonly<Record<PermissionName, string>> = Object.freeze({
  read: 'any file',
  write: 'any file',
  net: 'the network',
  run: 'programs, workers, native addons or the inspector',
  env: 'any environment variable',
});

export interface AccessDeniedError extends Error {
  readonly code: 'ERR_ACCESS_DENIED';
  readonly permission: string;
  readonly resource: string;
  readonly package: string;
  readonly flag: string;
}

/** The flag that allows `request` to its package alone (`--allow-read=reader=/data/x`). */
export const flagFor = (request: AccessRequest, rootName?: string): string => {
  const who = request.package === '$root$' ? rootName : request.package;
  const value = request.resource === undefined ? (who === undefined ? '' : `=${who}=*`) : `=${who === undefined ? '' : `${who}=`}${request.resource}`;
  return `--allow-${request.permission}${value}`;
};

/** `read /etc/passwd (fs.readFileSync)`: what a request asks, for messages and prompts. */
export const describeRequest = (request: AccessRequest): string =>
  `${VERB[request.permission]} ${request.resource === undefined ? NOUN[request.permission] : request.resource}${request.what === undefined ? '' : ` (${request.what})`}`;

/** `Package a>b` or `The application (name)`. */
export const describeRequester = (canonicalName: string, rootName?: string): string =>
  canonicalName === '$root$' ? `The application${rootName === undefined ? '' : ` (${rootName})`}` : `Package ${canonicalName}`;

export const accessDenied = (request: AccessRequest, rootName?: string): AccessDeniedError => {
  const flag = flagFor(request, rootName);
  const error = new Error(`${describeRequester(request.package, rootName)} may not ${describeRequest(request)}: access denied; run with ${flag} to allow it`) as Error & Record<string, unknown>;
  error.code = 'ERR_ACCESS_DENIED';
  error.permission = NODE_PERMISSION[request.permission];
  error.resource = request.resource ?? '*';
  error.package = request.package;
  error.flag = flag;
  return error as unknown as AccessDeniedError;
};
