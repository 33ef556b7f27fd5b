// Cordon's real-world list (test/helpers/real-world-list.js: popular npm packages across niches, ESM-only,
// CommonJS-only and dual) in every host configuration Endo's users give importLocation on Node
// (test/helpers/host-configs.js). Each package is imported from an ES module (`import * as ns`) and
// required from a CommonJS module (`module.exports = require(…)`) under real lockdown, and compared with
// Node's own `import()` and `require()` of it in a clean process, on the Node running this test: the
// sorted export names of the namespace, the sorted keys of require's value.
//
// Each configuration runs in a child process of its own (two at a time). Per configuration and kind,
// the packages that differ from Node must be exactly those of KNOWN: a new failure, or a fix that makes
// a KNOWN entry pass, fails the test with the package and the error. docs/real-world.md explains KNOWN.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { NICHES, REAL_WORLD, KINDS } from '../helpers/real-world-list.js';
import { CONFIG_NAMES, writeEntries } from '../helpers/host-configs.js';

const root = url.fileURLToPath(new URL('../../', import.meta.url));
const entries = path.join(root, 'test/run/.entries/real-world');
const results = path.join(root, 'test/run/.entries/real-world-results');

// Why Cordon does not give Node's answer, one cause per entry (the error, summarised).
const WHY = {
  deepEqualShim:
    'http-assert → deep-equal@1 assigns `exports.shim` with `exports === Object.keys`; SES froze Object.keys: "Cannot add property shim, object is not extensible"',
  functionReturnThis:
    'ejs reads `(new Function(\'return this;\'))().Promise`: `Function(\'return this\')()` is undefined in a compartment (on Node: the global object): "Cannot read properties of undefined (reading \'Promise\')"',
  overrideValueOf:
    'nunjucks assigns `SafeString.prototype.valueOf` on an object made by `Object.create(String.prototype)`; String.prototype.valueOf is frozen and overrideTaming \'severe\' does not cover it: "Cannot assign to read only property \'valueOf\'"',
  censoredComment:
    'CORDON_CENSORED_TEXT: htmlparser2\'s dist/Tokenizer.js has `<!-->` in a comment; Cordon\'s censor rewrites its `<!--` but not the overlapping `-->` (one scan with /<!--|-->/g): "Cannot rewrite text that SES\'s evaluator rejects ("-->")"',
  trailingSlash:
    'readable-stream\'s shims/process.js does `require(\'process/\')` (the trailing slash is Node\'s way to the npm package `process`, not the builtin); Cordon: "Package process does not export "." for require"',
  esModuleFlag:
    'require() of an ES module: Node\'s namespace has `__esModule: true` when the module has a default export; Cordon\'s lacks `__esModule`',
  moduleExportsName:
    'require() of an ES module that exports the name \'module.exports\' (yargs: `export { Yargs as \'module.exports\' }`): Node returns that value, Cordon the namespace (extra keys default, module.exports)',
  // With any hook given, a require() that Node would never run is asked of the hook at load, and the
  // load fails when the hook answers undefined (with `modules` only, it fails only if it runs).
  unrun: (specifier, where) =>
    `CORDON_MODULE_NOT_FOUND at load for \`require('${specifier}')\` ${where}, which Node never runs: with a hook given, Cordon asks it at load and fails on its undefined ("it is neither a dependency nor a host module")`,
  // Builtins given by a hook as `{ namespace }` are not normalised into what require() and a default
  // import of a builtin give on Node.
  requireGetsNamespace: (what, error) =>
    `${what}: require() of a builtin given by the importHook gets its module namespace (null prototype, no callable default), not Node's value: "${error}"`,
  requireGetsWrapped: (what, error) =>
    `${what}: require() of a builtin given by the importNowHook as \`{ namespace: require(name) }\` gets a module namespace made from it, not the value itself: "${error}"`,
  noDefault: (specifier) =>
    `\`import x from '${specifier}'\` of a builtin given by the importNowHook as \`{ namespace: require(name) }\`: Cordon gives no default export ("The requested module '${specifier}' does not provide an export named 'default'")`,
  noSyncHook:
    'fs-extra\'s `require(\'graceful-fs\')` is loaded synchronously (Compartment.importNow) at run time; graceful-fs\'s builtins then need an importNowHook, which this configuration lacks: "Cannot find package "fs" imported by fs-extra>graceful-fs"',
  // Without globalsFor, Cordon does not yet give each compartment what Node code expects.
  noV8ErrorApi:
    'depd (express, koa, body-parser) reads call sites through `Error.captureStackTrace`/`prepareStackTrace`; without globalsFor there is no per-compartment Error with V8\'s stack API: "Cannot read properties of undefined (reading \'getFileName\')"',
  noGlobal: (what, name) => `${what} reads \`global.${name}\`; without globalsFor, \`global\` is undefined: "Cannot read properties of undefined (reading '${name}')"`,
  noRoot: name =>
    `lodash's root is \`freeGlobal || freeSelf || Function('return this')()\`: without globalsFor there is no \`global\`, and \`Function('return this')()\` is undefined: "Cannot read properties of undefined (reading '${name}')"`,
  // Node 23+ (so Node 24) gives an ES module importer of CommonJS a 'module.exports' export.
  namespaceModuleExports: 'Node 24\'s namespace of a CommonJS module has the export \'module.exports\' (module.exports itself); Cordon\'s does not',
  mochaNode24:
    'mocha\'s index.js is `export * from "./lib/mocha.cjs"`: on Node 24 that re-exports \'module.exports\', so require() returns module.exports (a function); Cordon returns the namespace (extra key default, missing unloadFile)',
};

// In every configuration.
const EVERYWHERE = {
  ejs: WHY.functionReturnThis,
  cheerio: `cheerio → htmlparser2 → ${WHY.censoredComment}; on Node 20 also CORDON_HOST_MODULE_NOT_FOUND at load for undici's \`require('node:sqlite')\` (lib/cache/sqlite-cache-store.js, run only when that store is made; Node 20 has no node:sqlite)`,
  htmlparser2: WHY.censoredComment,
  'sanitize-html': `sanitize-html → htmlparser2 → ${WHY.censoredComment}`,
  'readable-stream': WHY.trailingSlash,
  through2: `through2 → ${WHY.trailingSlash}`,
};
// require() of these ES modules, in every configuration where they load.
const REQUIRE_ESM = {
  'node-fetch': WHY.esModuleFlag,
  meow: WHY.esModuleFlag,
  'lodash-es': WHY.esModuleFlag,
  'p-limit': WHY.esModuleFlag,
  mocha: WHY.esModuleFlag,
  yargs: WHY.moduleExportsName,
};
// Any hook given (importHook, importNowHook or both, with or without modules).
const UNRUN_REQUIRES = {
  express: WHY.unrun('ejs', 'in a JSDoc comment of express/lib/application.js'),
  fastify: `fastify → pino → ${WHY.unrun('SonicBoom', 'in a comment of sonic-boom/index.js')}`,
  pino: `pino → ${WHY.unrun('SonicBoom', 'in a comment of sonic-boom/index.js')}`,
  winston: `winston → logform → ${WHY.unrun('colors/safe', 'in a comment of @colors/colors/safe.js')}`,
  nunjucks: WHY.unrun('chokidar', 'in node-loaders.js, only when watching'),
  ws: WHY.unrun('utf-8-validate', 'and `require(\'bufferutil\')` in try/catch blocks (optional native addons)'),
};
const UNRUN_REQUIRES_CJS = { 'markdown-it': `markdown-it → linkify-it → ${WHY.unrun('tlds', 'in a comment of linkify-it/build/index.cjs.js')}` };
// The async importHook's namespaces, reached by require().
const IMPORT_HOOK_NAMESPACES = {
  'body-parser': WHY.requireGetsNamespace('safer-buffer calls `buffer.hasOwnProperty`', 'buffer.hasOwnProperty is not a function'),
  jsonwebtoken: WHY.requireGetsNamespace(
    'jws calls `util.inherits(DataStream, require(\'stream\'))`',
    'The "superCtor.prototype" property must be of type object. Received undefined',
  ),
};
// The sync importNowHook's values, reached by an ES module's default import or by require().
const IMPORT_NOW_HOOK_VALUES = {
  axios: WHY.noDefault('crypto'),
  'node-fetch': WHY.noDefault('node:http'),
  consola: WHY.noDefault('node:process'),
  ejs: WHY.noDefault('node:fs'),
  meow: WHY.noDefault('node:process'),
  bcryptjs: WHY.noDefault('crypto'),
  glob: WHY.noDefault('node:stream'),
  mocha: WHY.noDefault('node:util'),
};
const GRACEFUL_FS_NAMESPACE =
  'graceful-fs defines `Symbol(graceful-fs.queue)` on `require(\'fs\')`, which is a module namespace: "Cannot define property "[Symbol(graceful-fs.queue)]" of module exports namespace"';

const importNowOnly = kind => ({
  ...EVERYWHERE,
  ...(kind === 'require' ? { ...REQUIRE_ESM, ...UNRUN_REQUIRES_CJS } : {}),
  ...UNRUN_REQUIRES,
  koa: WHY.deepEqualShim,
  'body-parser': WHY.requireGetsWrapped('safer-buffer calls `buffer.hasOwnProperty`', 'buffer.hasOwnProperty is not a function'),
  'fs-extra': `fs-extra → ${GRACEFUL_FS_NAMESPACE}`,
  ...(kind === 'import' ? IMPORT_NOW_HOOK_VALUES : { 'node-fetch': IMPORT_NOW_HOOK_VALUES['node-fetch'], meow: IMPORT_NOW_HOOK_VALUES.meow, mocha: IMPORT_NOW_HOOK_VALUES.mocha }),
});

/** Per configuration, per kind: package → why it differs from Node (on every Node this runs on). */
const KNOWN = {
  modules: Object.fromEntries(
    KINDS.map(kind => [kind, { ...EVERYWHERE, ...(kind === 'require' ? REQUIRE_ESM : {}), koa: WHY.deepEqualShim, nunjucks: WHY.overrideValueOf }]),
  ),
  importHook: Object.fromEntries(
    KINDS.map(kind => [
      kind,
      {
        ...EVERYWHERE,
        ...(kind === 'require' ? { ...REQUIRE_ESM, ...UNRUN_REQUIRES_CJS } : {}),
        ...UNRUN_REQUIRES,
        koa: WHY.deepEqualShim,
        ...IMPORT_HOOK_NAMESPACES,
        'fs-extra': WHY.noSyncHook,
      },
    ]),
  ),
  importNowHook: Object.fromEntries(KINDS.map(kind => [kind, importNowOnly(kind)])),
  hooks: Object.fromEntries(
    KINDS.map(kind => [
      kind,
      {
        ...EVERYWHERE,
        ...(kind === 'require' ? { ...REQUIRE_ESM, ...UNRUN_REQUIRES_CJS } : {}),
        ...UNRUN_REQUIRES,
        koa: WHY.deepEqualShim,
        ...IMPORT_HOOK_NAMESPACES,
        'fs-extra': `fs-extra → ${GRACEFUL_FS_NAMESPACE}`,
      },
    ]),
  ),
  'modules+hooks': Object.fromEntries(
    KINDS.map(kind => [
      kind,
      { ...EVERYWHERE, ...(kind === 'require' ? { ...REQUIRE_ESM, ...UNRUN_REQUIRES_CJS } : {}), ...UNRUN_REQUIRES, koa: WHY.deepEqualShim },
    ]),
  ),
  'globals-only': Object.fromEntries(
    KINDS.map(kind => [
      kind,
      {
        ...EVERYWHERE,
        ...(kind === 'require' ? { 'node-fetch': WHY.esModuleFlag, meow: WHY.esModuleFlag, 'p-limit': WHY.esModuleFlag, yargs: WHY.moduleExportsName } : {}),
        nunjucks: WHY.overrideValueOf,
        express: WHY.noV8ErrorApi,
        koa: WHY.noV8ErrorApi,
        'body-parser': WHY.noV8ErrorApi,
        pino: WHY.noGlobal('pino → thread-stream', 'FinalizationRegistry'),
        bluebird: WHY.noGlobal('bluebird', 'setImmediate'),
        mocha: WHY.noGlobal('mocha\'s reporters', 'Date'),
        'fs-extra': WHY.noGlobal('fs-extra → graceful-fs', 'Symbol(graceful-fs.queue)'),
        lodash: WHY.noRoot('Array'),
        'lodash-es': WHY.noRoot('Symbol'),
      },
    ]),
  ),
};

// Packages an ES module reaches as CommonJS: on a Node whose namespaces of CommonJS modules have the
// 'module.exports' export (Node 24), Cordon's import of each lacks it, wherever it loads at all.
const CJS_FROM_ESM = [
  'express', 'fastify', 'body-parser', 'cors', 'pino', 'winston', 'bunyan', 'loglevel', 'debug', 'handlebars', 'nunjucks',
  'pug', 'liquidjs', 'sanitize-html', 'readable-stream', 'split2', 'ajv', 'joi', 'yup', 'validator', 'superstruct', 'chalk',
  'picocolors', 'minimist', 'jsonwebtoken', 'crypto-js', 'tweetnacl', 'lodash', 'async', 'bluebird', 'fs-extra', 'ms', 'qs',
  'semver', 'dotenv', 'moment', 'dayjs', 'yaml', 'graphql', 'protobufjs', 'react', 'react-dom', 'immutable', 'rxjs',
  'typescript', 'mocha',
];

/** KNOWN on the Node running this test. */
const knownFor = (config, kind, namespacesHaveModuleExports) => {
  const known = { ...KNOWN[config][kind] };
  if (namespacesHaveModuleExports && kind === 'import') {
    for (const name of CJS_FROM_ESM) known[name] ??= WHY.namespaceModuleExports;
  }
  if (namespacesHaveModuleExports && kind === 'require' && known.mocha === WHY.esModuleFlag) known.mocha = WHY.mochaNode24;
  return known;
};

const relative = text => text.replaceAll(url.pathToFileURL(root).href, '').replaceAll(root, '');

/** A difference from Node, in one line. */
const describe = (ours, node) => {
  if (ours.error !== undefined) {
    const lines = relative(ours.error).split('\n').map(line => line.trim()).filter(Boolean);
    const text = lines.length > 1 && /^Cannot load /.test(lines[0]) ? lines.slice(1).join(' ') : lines.join(' ');
    return text.length > 400 ? `${text.slice(0, 400)}…` : text;
  }
  const missing = node.keys.filter(key => !ours.keys.includes(key));
  const extra = ours.keys.filter(key => !node.keys.includes(key));
  const list = keys => (keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, … (${keys.length})` : keys.join(', '));
  return `export names differ: missing [${list(missing)}], extra [${list(extra)}]`;
};

/** Runs a helper program in a child process of its own; resolves with what it wrote to its out file. */
const runChild = (script, args, out) =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    execFile(process.execPath, [script, ...args, out], { cwd: root, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        reject(new Error(`${path.basename(script)} ${args.join(' ')} failed (${error.code ?? error.signal}):\n${String(stderr).slice(-4000)}`));
        return;
      }
      resolve({ ...JSON.parse(fs.readFileSync(out, 'utf8')), wallMs: Date.now() - started });
    });
  });

/** At most `limit` jobs at a time, started in order; one promise per job. */
const pool = (jobs, limit) => {
  const promises = [];
  let next = 0;
  let running = 0;
  const starts = [];
  const pump = () => {
    while (running < limit && next < starts.length) {
      running++;
      starts[next++]().finally(() => {
        running--;
        pump();
      });
    }
  };
  for (const job of jobs) {
    promises.push(
      new Promise((resolve, reject) => {
        starts.push(() => job().then(resolve, reject));
      }),
    );
  }
  pump();
  // The test awaits each in turn; a rejection is reported there, not as unhandled.
  for (const promise of promises) promise.catch(() => {});
  return promises;
};

fs.rmSync(entries, { recursive: true, force: true });
fs.mkdirSync(results, { recursive: true });
writeEntries(entries, REAL_WORLD);
const listScript = path.join(root, 'test/helpers/real-world-list.js');
const configScript = path.join(root, 'test/helpers/host-configs.js');
const [reference, ...runs] = pool(
  [
    () => runChild(listScript, [], path.join(results, 'node.json')),
    ...CONFIG_NAMES.map(config => () => runChild(configScript, [config, entries], path.join(results, `${config}.json`))),
  ],
  2,
);
const started = Date.now();

test(`real-world list: ${REAL_WORLD.length} packages in ${Object.keys(NICHES).length} niches, all devDependencies, all loaded by Node itself`, async () => {
  assert.ok(REAL_WORLD.length >= 60, `${REAL_WORLD.length} packages`);
  assert.equal(new Set(REAL_WORLD).size, REAL_WORLD.length, 'a package listed twice');
  const { devDependencies } = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
  assert.deepEqual(REAL_WORLD.filter(name => !Object.hasOwn(devDependencies, name)), [], 'not devDependencies');
  const node = await reference;
  const failed = REAL_WORLD.flatMap(name => KINDS.filter(kind => node[name][kind].error !== undefined).map(kind => `${kind} ${name}: ${node[name][kind].error}`));
  assert.deepEqual(failed, [], 'Node itself cannot load these');
  const namespacesHaveModuleExports = node.ms.import.keys.includes('module.exports');
  if (namespacesHaveModuleExports) {
    assert.deepEqual(CJS_FROM_ESM.filter(name => !node[name].import.keys.includes('module.exports')), [], 'CJS_FROM_ESM lists a package Node does not give \'module.exports\'');
  }
});

CONFIG_NAMES.forEach((config, index) => {
  test(`real-world, ${config}: the packages that differ from Node's import() and require() are those KNOWN`, async t => {
    const node = await reference;
    const ours = await runs[index];
    const namespacesHaveModuleExports = node.ms.import.keys.includes('module.exports');
    t.diagnostic(`${config} on Node ${ours.node}: its child took ${(ours.wallMs / 1000).toFixed(1)} s (${(ours.ms / 1000).toFixed(1)} s importing, ${(ours.cpuMs / 1000).toFixed(1)} s of CPU); done ${((Date.now() - started) / 1000).toFixed(1)} s after the start`);
    if (ours.late.length > 0) t.diagnostic(`errors after an import returned: ${ours.late.join('; ')}`);
    for (const kind of KINDS) {
      await t.test(kind, () => {
        const differing = {};
        for (const name of REAL_WORLD) {
          const mine = ours.results[name][kind];
          const theirs = node[name][kind];
          if (mine.error === undefined && JSON.stringify(mine.keys) === JSON.stringify(theirs.keys)) continue;
          differing[name] = describe(mine, theirs);
        }
        const known = knownFor(config, kind, namespacesHaveModuleExports);
        const same = REAL_WORLD.length - Object.keys(differing).length;
        t.diagnostic(`${config} ${kind}: ${same}/${REAL_WORLD.length} give Node's answer`);
        const fresh = Object.keys(differing).filter(name => !Object.hasOwn(known, name));
        const fixed = Object.keys(known).filter(name => !Object.hasOwn(differing, name));
        const message = [
          `${config}, ${kind} on Node ${process.version}:`,
          ...(fresh.length > 0 ? ['  differ from Node but are not KNOWN (fix, or add to KNOWN with the reason):', ...fresh.map(name => `    ${name}: ${differing[name]}`)] : []),
          ...(fixed.length > 0 ? ['  KNOWN but now give Node\'s answer (remove from KNOWN):', ...fixed.map(name => `    ${name}: ${known[name]}`)] : []),
        ].join('\n');
        assert.deepEqual(Object.keys(differing).sort(), Object.keys(known).sort(), message);
      });
    }
  });
});
