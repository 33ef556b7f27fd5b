/**
 * `cordon policy generate <entry> [--out FILE] [--audit [-- args]]`: a LavaMoat-format `policy.json`
 * from Cordon's analysis of every module the application reaches (and, with `--audit`, from one run
 * of it with everything allowed and a recorder on every package edge, builtin member and global, and
 * on every host resource each package used: its proposed `permissions`).
 * Written atomically, sorted and stable; computed loads that only the audit can follow are listed.
 */
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { generatePolicy, mergeAudit, stringifyPolicy, type AuditedUse } from '../policy.js';
import { runApplication } from './run.js';
import { defaultPolicyPath, packageRootOf } from './policy-files.js';
import { mergeHostAudit } from './host-audit.js';
import type { AccessRequest } from '../host.js';
import { nodeLockdownOptions } from './node-host.js';

export interface GenerateCommandOptions {
  readonly entry: string;
  readonly out?: string | undefined;
  readonly conditions: readonly string[];
  readonly dev: boolean;
  readonly includeRoot: boolean;
  /** `--audit [-- args]`: also run the app once (everything allowed) and add what each package used. */
  readonly audit?: { readonly args: readonly string[] } | undefined;
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
  const report = (policy: typeof generated.policy, audited: number | undefined): void => {
    writeAtomically(out, stringifyPolicy(policy));
    const resources = Object.keys(policy.resources).length;
    const ms = Math.round(performance.now() - started);
    const how = audited === undefined ? '' : `, and ${audited} uses recorded by the audit (marked meta["cordon:audit"])`;
    process.stderr.write(`cordon: wrote ${path.relative(process.cwd(), out) || out}: ${resources} package${resources === 1 ? '' : 's'}, ${countGrants(policy as never)} grants, from ${generated.modules} modules${how} in ${ms} ms\n`);
  };
  for (const load of generated.dynamic) {
    process.stderr.write(`cordon: note: ${load.canonicalName} has a computed ${load.kind}() at ${load.file}:${load.line}:${load.column + 1}; static analysis cannot follow it ${options.audit ? '(the audit follows it if the run reaches it)' : '(run with --audit, or grant it in policy-override.json)'}\n`);
  }
  if (options.audit) {
    const uses: AuditedUse[] = [];
    const hostUses: AccessRequest[] = [];
    // Written when the app ends, however it ends (a server: stop it with Ctrl-C).
    process.once('exit', () => report(mergeHostAudit(mergeAudit(generated.policy, uses, { includeRoot: options.includeRoot }), hostUses, packageRootOf(entryPath)), uses.length + hostUses.length));
    for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));
    process.stderr.write(`cordon: auditing: running ${options.entry} with everything allowed; the policy is written when it ends\n`);
    return runApplication({ entry: options.entry, args: options.audit.args, conditions: options.conditions, dev: options.dev, audit: use => void uses.push(use), hostAudit: request => void hostUses.push(request) });
  }
  report(generated.policy, undefined);
  return 0;
};
