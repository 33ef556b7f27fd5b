/**
 * `cordon policy generate <entry> [--out FILE] [--audit [-- args]]`: a LavaMoat-format `policy.json`
 * from Cordon's analysis of every module the application reaches (and, with `--audit`, from one run
 * of it with everything allowed and a recorder on every package edge, builtin member and global).
 * Written atomically, sorted and stable; computed loads that only the audit can follow are listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { generatePolicy, stringifyPolicy } from '../policy.js';
import { defaultPolicyPath } from './policy-files.js';
import { nodeLockdownOptions } from './node-host.js';

export interface GenerateCommandOptions {
  readonly entry: string;
  readonly out?: string | undefined;
  readonly conditions: readonly string[];
  readonly dev: boolean;
  readonly includeRoot: boolean;
}

/** Writes `text` to `file` atomically (a temporary file beside it, then a rename). */
export const writeAtomically = (file: string, text: string): void => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`;
  fs.writeFileSync(temporary, text);
  fs.renameSync(temporary, file);
};

const countGrants = (policy: { resources: Record<string, Record<string, unknown>> }): number => {
  let grants = 0;
  for (const resource of Object.values(policy.resources)) {
    for (const field of ['globals', 'builtin', 'packages'] as const) grants += Object.keys((resource[field] as object | undefined) ?? {}).length;
    if (resource.native === true) grants += 1;
  }
  return grants;
};

export const generateCommand = async (options: GenerateCommandOptions): Promise<number> => {
  const entryPath = path.resolve(options.entry);
  if (!fs.existsSync(entryPath)) {
    process.stderr.write(`cordon: no such file: ${options.entry}\n`);
    return 2;
  }
  const started = performance.now();
  // Capturing loads every module into compartments (none runs): SES first.
  await import('ses');
  (globalThis as unknown as { lockdown: (options: object) => void }).lockdown(nodeLockdownOptions);
  const { makeReadPowers } = await import('../node-powers.js');
  const powers = makeReadPowers({ fs, url, crypto, path });
  const generated = await generatePolicy(powers, url.pathToFileURL(entryPath).href, { conditions: options.conditions, dev: options.dev, includeRoot: options.includeRoot });
  const out = options.out === undefined ? defaultPolicyPath(entryPath) : path.resolve(options.out);
  writeAtomically(out, stringifyPolicy(generated.policy));
  const resources = Object.keys(generated.policy.resources).length;
  const ms = Math.round(performance.now() - started);
  process.stderr.write(`cordon: wrote ${path.relative(process.cwd(), out) || out}: ${resources} package${resources === 1 ? '' : 's'}, ${countGrants(generated.policy as never)} grants, from ${generated.modules} modules in ${ms} ms\n`);
  for (const load of generated.dynamic) {
    process.stderr.write(`cordon: note: ${load.canonicalName} has a computed ${load.kind}() at ${load.file}:${load.line}:${load.column + 1}; static analysis cannot follow it (run with --audit, or grant it in policy-override.json)\n`);
  }
  return 0;
};
