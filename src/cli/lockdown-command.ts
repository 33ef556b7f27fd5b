/**
 * `cordon inspect --lockdown [--debug] [--json]`: the shipped lockdown bundle's SHA-256 (computed from
 * its bytes here and checked against the lock it was built under), size and ses version.
 */
import crypto from 'node:crypto';

export const inspectLockdown = async ({ debug, json }: { readonly debug: boolean; readonly json: boolean }): Promise<number> => {
  const lockdown = await import('../lockdown-bundle.js');
  const bundle = debug ? lockdown.getDebugLockdownBundle() : lockdown.getLockdownBundle();
  const lock = lockdown.getLockdownBundleLock();
  const file = debug ? 'lockdown-debug.json' : 'lockdown.json';
  const text = JSON.stringify(bundle);
  const sha256 = crypto.createHash('sha256').update(text).digest('hex');
  const expected = debug ? lockdown.getDebugLockdownBundleSHA256() : lockdown.getLockdownBundleSHA256();
  if (sha256 !== expected) {
    process.stderr.write(`cordon: bundles/${file} has sha256 ${sha256}, but the lock it was built under says ${expected}: the installed bundle was altered\n`);
    return 1;
  }
  const description = {
    bundle: file,
    debug,
    moduleFormat: bundle.moduleFormat,
    sha256,
    bytes: Buffer.byteLength(text),
    ses: lock.inputs.ses,
    files: Object.keys(lock.inputs.files).length,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
    return 0;
  }
  process.stdout.write(
    [
      `lockdown  ${file}${debug ? ' (debug: errorTaming unsafe, overrideTaming min)' : ''}`,
      `sha256    ${sha256}`,
      `size      ${description.bytes} bytes (${description.moduleFormat}, ${description.files} files)`,
      `ses       ${description.ses}`,
      '',
    ].join('\n'),
  );
  return 0;
};
