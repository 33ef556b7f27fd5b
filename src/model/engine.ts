/**
 * Facts about the JavaScript host that change what Node-compatible behaviour is, read once. This is
 * the one place the library reads anything off the host's `process`: a version string, no authority.
 * - Node 23 and later (and 22.12's backport line, not tested here) give a CommonJS module's ES
 *   namespace a `'module.exports'` export (the exports object as is); Node 20 does not.
 */
const nodeVersion = (): readonly number[] | undefined => {
  const version = (globalThis as { process?: { versions?: { node?: unknown } } }).process?.versions?.node;
  return typeof version === 'string' ? version.split('.').map(Number) : undefined;
};

const [major = 0, minor = 0] = nodeVersion() ?? [];

/** Whether CommonJS namespaces have the `'module.exports'` export, as on the Node that runs this. */
export const commonJsNamespaceHasModuleExports: boolean = major >= 23 || (major === 22 && minor >= 12);
