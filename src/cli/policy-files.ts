/**
 * Where `cordon run` and `cordon policy` find policies: `--policy FILE` (and `--policy-override FILE`),
 * else LavaMoat's place in the entry's package, `lavamoat/node/policy.json` beside its package.json
 * (with `policy-override.json` next to it, merged over it as LavaMoat merges it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { CordonError } from '../index.js';
import { mergePolicies, parsePolicyText } from '../policy.js';

/** The folder of the package that holds `file` (the nearest package.json above it), else the file's folder. */
export const packageRootOf = (file: string): string => {
  for (let dir = path.dirname(file); ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(file);
  }
};

export const defaultPolicyPath = (entryPath: string): string => path.join(packageRootOf(entryPath), 'lavamoat', 'node', 'policy.json');

const readPolicyFile = (file: string): unknown => {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CordonError('CORDON_INVALID_POLICY', `Cannot read the policy ${file}: ${(error as Error).message}`, { file });
  }
  return parsePolicyText(text, file);
};

/** The policy in force (merged with its override), or `undefined` when there is none. */
export const readPolicyFiles = async (entryPath: string, policyFile: string | undefined, overrideFile: string | undefined): Promise<unknown> => {
  const main = policyFile === undefined ? defaultPolicyPath(entryPath) : path.resolve(policyFile);
  if (policyFile === undefined && !fs.existsSync(main)) {
    if (overrideFile !== undefined) throw new CordonError('CORDON_INVALID_POLICY', `--policy-override ${overrideFile} needs a policy (--policy FILE, or ${main})`, { file: overrideFile });
    return undefined;
  }
  const policy = readPolicyFile(main);
  const override = overrideFile === undefined ? path.join(path.dirname(main), 'policy-override.json') : path.resolve(overrideFile);
  if (overrideFile === undefined && !fs.existsSync(override)) return policy;
  return mergePolicies(policy as never, readPolicyFile(override) as never);
};
