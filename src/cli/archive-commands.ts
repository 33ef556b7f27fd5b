/** `cordon pack`, `cordon verify`, `cordon inspect`: archives from the command line. */
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';
import crypto from 'node:crypto';
import { nodeBuiltinModules } from './node-host.js';

const powers = async () => {
  const { makeReadNowPowers, makeWritePowers } = await import('../node-powers.js');
  return { read: makeReadNowPowers({ fs, url, crypto, path }), write: makeWritePowers({ fs, url }) };
};

const ensureSes = async (): Promise<void> => {
  await import('ses');
  const { nodeLockdownOptions } = await import('./node-host.js');
  (globalThis as unknown as { lockdown(options: object): void }).lockdown(nodeLockdownOptions);
};

export interface PackOptions {
  readonly entry: string;
  readonly output: string;
  readonly conditions: readonly string[];
  readonly dev: boolean;
}

/** Packs an application into a zip archive (written atomically); prints its sha512. */
export const packApplication = async (options: PackOptions): Promise<number> => {
  await ensureSes();
  const { makeAndHashArchive } = await import('../index.js');
  const { read, write } = await powers();
  let count = 0;
  const progress = process.stderr.isTTY;
  const { bytes, sha512 } = await makeAndHashArchive(read, url.pathToFileURL(path.resolve(options.entry)).href, {
    conditions: options.conditions,
    dev: options.dev,
    modules: nodeBuiltinModules(),
    onModule: () => {
      count += 1;
      if (progress && count % 50 === 0) process.stderr.write(`\rcordon: packed ${count} modules…`);
    },
  });
  if (progress && count >= 50) process.stderr.write('\r\x1b[K');
  await write.write(url.pathToFileURL(path.resolve(options.output)).href, bytes);
  process.stdout.write(`${sha512}\n`);
  process.stderr.write(`cordon: wrote ${options.output} (${count} modules, ${bytes.length} bytes)\n`);
  return 0;
};

/** Checks an archive (structure, map, every module's hash) against an expected sha512. */
export const verifyArchive = async (file: string, expected: string | undefined): Promise<number> => {
  const { parseArchive } = await import('../index.js');
  const bytes = fs.readFileSync(file);
  const computeSha512 = (data: Uint8Array) => crypto.createHash('sha512').update(data).digest('hex');
  const application = await parseArchive(bytes, url.pathToFileURL(path.resolve(file)).href, {
    computeSha512,
    ...(expected === undefined ? {} : { expectedSha512: expected.toLowerCase() }),
  });
  process.stdout.write(`${application.sha512}\n`);
  process.stderr.write(`cordon: ${file} is a valid archive${expected === undefined ? '' : ' with the expected sha512'}\n`);
  return 0;
};

/** Prints what an archive holds: compartments, modules, sizes, exits, hash. */
export const inspectArchive = async (file: string, json: boolean): Promise<number> => {
  const { describeArchive } = await import('../index.js');
  const bytes = fs.readFileSync(file);
  const description = await describeArchive(bytes, url.pathToFileURL(path.resolve(file)).href, {
    computeSha512: data => crypto.createHash('sha512').update(data).digest('hex'),
  });
  if (json) {
    process.stdout.write(`${JSON.stringify(description, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `archive   ${file} (${description.bytes} bytes)`,
    `sha512    ${description.sha512}`,
    `entry     ${description.entry.compartment} ${description.entry.module}`,
    `exits     ${description.exits.length > 0 ? description.exits.join(', ') : '(none)'}`,
    '',
  ];
  for (const compartment of description.compartments) {
    const size = compartment.modules.reduce((n, m) => n + m.bytes, 0);
    lines.push(`${compartment.name}  (${compartment.label}; ${compartment.modules.length} modules, ${size} bytes, ${compartment.links} links)`);
    for (const module of compartment.modules) lines.push(`  ${module.specifier.padEnd(40)} ${module.parser.padEnd(13)} ${module.bytes}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
};
