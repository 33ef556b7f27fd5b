/**
 * The `cordon` command's commands: `main(argv)` → the exit code (`main.ts` starts it, from the bundle
 * when there is one). What only another command needs is imported when that command runs, so that
 * `cordon run` loads and evaluates no more than it uses.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { CordonError } from '../index.js';
import { formatError } from './report.js';
import { runApplication } from './run.js';
import { FlagError, takeRunFlags, type RunFlags } from './permission-flags.js';
import { runIfLimited } from '../sandbox.js';

const USAGE = `Usage: cordon <command> [options]

Commands:
  run <entry|app.zip|bundle.json> [-- args]  Run a Node application (or an archive, or a bundle) with each package in its own SES compartment
      -C, --condition <c>  an exports/imports condition (repeatable)
      --dev               include the entry package's devDependencies
      --policy <file>     the policy (LavaMoat's policy.json or Endo's policy object as JSON);
                          default: lavamoat/node/policy.json in the entry's package, if present
      --policy-override <file>  merged over the policy (default: policy-override.json beside it)
      --cache <dir>       the compile cache (default: node_modules/.cache/cordon of the entry's package);
                          --no-cache: compile every module afresh, keep nothing
    Host permissions (deny by default; each item may be PKG=RESOURCE, for that package only):
      --allow-read[=PATH,…]   --allow-write[=PATH,…]   a path grants its subtree (relative to the cwd)
      --allow-net[=HOST[:PORT],…]   connect, listen, DNS    --allow-run[=PROGRAM,…]   child processes
      --allow-env[=KEY,…]     -A, --allow-all          --deny-read=… and the others (deny wins)
      --prompt / --no-prompt  ask on the terminal about what no flag decides (default: on a TTY)
    Limits (the app runs in a child process of its own):
      --max-memory=MB         --max-cpu=SECONDS (exit 124)
  policy generate <entry> [--out <file>] [--audit] [-- args]
                                 Write a LavaMoat-format policy.json from Cordon's analysis of every module
                                 (default --out: lavamoat/node/policy.json in the entry's package);
                                 --audit also runs the app once, everything allowed, and adds what each
                                 package really reached
  pack <entry> -o <app.zip>      Pack an application into a deterministic archive; prints its sha512
      -C, --condition <c>, --dev  as for run
  verify <app.zip> [--sha512 <hex>]  Check an archive (structure, map, every module's hash, the expected hash)
  inspect <app.zip> [--json]     Show an archive's compartments, modules, sizes, exits and hash
  inspect --lockdown [--debug] [--json]  The lockdown bundle's SHA-256, size and ses version
  bundle <entry> [-o bundle.json]  Bundle an application (Endo's bundle formats; JSON to stdout without -o)
      -f, --format <f>    endoZipBase64 (default), endoScript, getExport, nestedEvaluate
      -C, --condition <c>, --dev  as for run    -T, --no-transforms    -e, --elide-comments
      --cache <dir>       the bundle cache (default: $XDG_CACHE_HOME/cordon/bundles); --no-cache: none
      --verbose           say whether the cache was used
  check-bundle <bundle.json>  Check a bundle (shape, archive, every module's hash, its endoZipBase64Sha512)
  compile <file>        Compile an ES module or CommonJS file and print the SES program
      --language <l>    mjs or cjs (default: by extension; .cjs is cjs, everything else mjs)
      --record          print the archived JSON record (pre-mjs-json / pre-cjs-json) instead

Options:
  -h, --help            show this help
  -v, --version         print Cordon's version
`;

const version = (): string => {
  const descriptor = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return descriptor.version;
};

const fail = (message: string, exitCode: number): number => {
  process.stderr.write(`cordon: ${message}\n`);
  return exitCode;
};

const compileCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { language: { type: 'string' }, record: { type: 'boolean', default: false } },
  });
  const file = positionals[0];
  if (file === undefined || positionals.length > 1) return fail(`compile takes one file\n\n${USAGE}`, 2);
  const language = values.language ?? (file.endsWith('.cjs') ? 'cjs' : 'mjs');
  if (language !== 'mjs' && language !== 'cjs') return fail(`unknown language ${JSON.stringify(language)} (mjs or cjs)`, 2);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return fail(`cannot read ${file}: ${(error as Error).message}`, 1);
  }
  const location = `file://${path.resolve(file)}`;
  const { compileCommonJs, ModuleSource, precompile } = await import('../index.js');
  if (values.record) {
    process.stdout.write(`${new TextDecoder().decode(precompile(language, text))}\n`);
  } else if (language === 'mjs') {
    process.stdout.write(`${new ModuleSource(text, location).__syncModuleProgram__}\n`);
  } else {
    process.stdout.write(compileCommonJs(text, location).source);
  }
  return 0;
};

const runCommand = async (given: string[]): Promise<number> => {
  let flags: RunFlags;
  try {
    flags = takeRunFlags(given);
  } catch (error) {
    if (error instanceof FlagError) return fail(`${error.message}\n\n${USAGE}`, 2);
    throw error;
  }
  // With --max-memory / --max-cpu, the app runs in a guest process of its own, watched from here.
  const limited = runIfLimited(flags);
  if (limited) return await limited;
  const args = flags.rest;
  const separator = args.indexOf('--');
  const own = separator === -1 ? args : args.slice(0, separator);
  const { values, positionals } = parseArgs({
    args: own,
    allowPositionals: true,
    options: {
      condition: { type: 'string', short: 'C', multiple: true },
      dev: { type: 'boolean', default: false },
      policy: { type: 'string' },
      'policy-override': { type: 'string' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
    },
  });
  const [entry, ...rest] = positionals;
  if (entry === undefined) return fail(`run needs an entry module\n\n${USAGE}`, 2);
  if (values['no-cache'] && values.cache !== undefined) return fail('run takes --cache <dir> or --no-cache, not both', 2);
  const appArgs = [...rest, ...(separator === -1 ? [] : args.slice(separator + 1))];
  return runApplication({
    entry,
    args: appArgs,
    conditions: values.condition ?? [],
    dev: values.dev ?? false,
    policy: values.policy,
    policyOverride: values['policy-override'],
    permissions: flags.permissions,
    prompt: flags.prompt,
    fs: flags.fs,
    snapshot: flags.snapshot,
    deterministic: flags.deterministic,
    cache: values['no-cache'] ? false : values.cache,
  });
};

const packCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      output: { type: 'string', short: 'o' },
      condition: { type: 'string', short: 'C', multiple: true },
      dev: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1 || values.output === undefined) return fail(`pack needs an entry and -o <archive>\n\n${USAGE}`, 2);
  const { packApplication } = await import('./archive-commands.js');
  return packApplication({ entry: positionals[0]!, output: values.output, conditions: values.condition ?? [], dev: values.dev ?? false });
};

const verifyCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { sha512: { type: 'string' } } });
  if (positionals.length !== 1) return fail(`verify needs one archive\n\n${USAGE}`, 2);
  const { verifyArchive } = await import('./archive-commands.js');
  return verifyArchive(positionals[0]!, values.sha512);
};

const inspectCommand = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, lockdown: { type: 'boolean', default: false }, debug: { type: 'boolean', default: false } } });
  if (values.lockdown && positionals.length === 0) return (await import('./lockdown-command.js')).inspectLockdown({ debug: values.debug ?? false, json: values.json ?? false });
  if (positionals.length !== 1) return fail(`inspect needs one archive\n\n${USAGE}`, 2);
  const { inspectArchive } = await import('./archive-commands.js');
  return inspectArchive(positionals[0]!, values.json ?? false);
};

const bundleArgs = async (args: string[]): Promise<number> => {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      format: { type: 'string', short: 'f', default: 'endoZipBase64' },
      condition: { type: 'string', short: 'C', multiple: true },
      dev: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
      cache: { type: 'string' },
      'no-cache': { type: 'boolean', default: false },
      'no-transforms': { type: 'boolean', short: 'T', default: false },
      'elide-comments': { type: 'boolean', short: 'e', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) return fail(`bundle needs one entry\n\n${USAGE}`, 2);
  if (values['no-cache'] && values.cache !== undefined) return fail('bundle takes --cache <dir> or --no-cache, not both', 2);
  const { bundleCommand, defaultBundleCache } = await import('./bundle-commands.js');
  return bundleCommand({
    entry: positionals[0]!,
    format: values.format!,
    conditions: values.condition ?? [],
    dev: values.dev ?? false,
    noTransforms: values['no-transforms'] ?? false,
    elideComments: values['elide-comments'] ?? false,
    output: values.output,
    cache: values['no-cache'] ? undefined : (values.cache ?? defaultBundleCache()),
    verbose: values.verbose ?? false,
  });
};

const checkBundleArgs = async (args: string[]): Promise<number> => {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  if (positionals.length !== 1) return fail(`check-bundle needs one bundle file\n\n${USAGE}`, 2);
  const { checkBundleCommand } = await import('./bundle-commands.js');
  return checkBundleCommand(positionals[0]!);
};

const policyCommand = async (args: string[]): Promise<number> => {
  const [sub, ...rest] = args;
  if (sub !== 'generate') return fail(`policy takes a subcommand: generate\n\n${USAGE}`, 2);
  const separator = rest.indexOf('--');
  const { values, positionals } = parseArgs({
    args: separator === -1 ? rest : rest.slice(0, separator),
    allowPositionals: true,
    options: {
      audit: { type: 'boolean', default: false },
      out: { type: 'string', short: 'o' },
      condition: { type: 'string', short: 'C', multiple: true },
      dev: { type: 'boolean', default: false },
      'include-root': { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) return fail(`policy generate needs one entry\n\n${USAGE}`, 2);
  const { generateCommand } = await import('./policy-command.js');
  return generateCommand({
    entry: positionals[0]!,
    out: values.out,
    conditions: values.condition ?? [],
    dev: values.dev ?? false,
    includeRoot: values['include-root'] ?? false,
    audit: values.audit ? { args: separator === -1 ? [] : rest.slice(separator + 1) } : undefined,
  });
};

/** Runs one command line (without `node` and the script); resolves to its exit code. */
export const main = async (argv: readonly string[]): Promise<number> => {
  const [command, ...rest] = argv;
  if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
    process.stdout.write(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === '-v' || command === '--version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  try {
    if (command === 'compile') return await compileCommand(rest);
    if (command === 'run') return await runCommand(rest);
    if (command === 'pack') return await packCommand(rest);
    if (command === 'verify') return await verifyCommand(rest);
    if (command === 'inspect') return await inspectCommand(rest);
    if (command === 'policy') return await policyCommand(rest);
    if (command === 'bundle') return await bundleArgs(rest);
    if (command === 'check-bundle') return await checkBundleArgs(rest);
  } catch (error) {
    if (error instanceof CordonError) {
      process.stderr.write(formatError(error));
      return 1;
    }
    if ((error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) return fail(`${(error as Error).message}\n\n${USAGE}`, 2);
    throw error;
  }
  return fail(`unknown command ${JSON.stringify(command)}\n\n${USAGE}`, 2);
};

