#!/usr/bin/env node
// Builds the CLI's start-up bundle (run by `npm run build`, after tsc):
//
//   dist/cli/cordon-cli.cjs       dist/cli/cli.js and every module it reaches (Cordon's dist/, ses and
//                                 the other dependencies, as the ESM build imports them) in one strict
//                                 CommonJS file, which `dist/cli/main.js` compiles with a V8 code cache
//   dist/cli/cordon-cli.cjs.map   its source map (through dist/'s own maps to src/)
//   dist/cli/cordon-cli.json      what it was built from: each of Cordon's files with its size, each
//                                 of Cordon's dependencies with its version, the bundle's size, SHA-256
//
// `dist/cli/main.js` uses the bundle only while it is current: every file of Cordon's it holds has the
// size recorded here and is not newer than the bundle, and each dependency has the recorded version.
// Otherwise (a `tsc` since, an `npm install` of another ses) it loads dist/cli/cli.js as modules, as
// it does when there is no bundle (esbuild, a devDependency, missing: this script then only removes a
// bundle that would be stale).
//
// One rewrite: each module's `import.meta.url` is its own file's URL, as unbundled (the bundle is a
// CommonJS file, which has no import.meta): `cordon run --max-memory` starts `../cli/main.js` from
// dist/sandbox/command.js, the compile cache fingerprints `../compile/` from dist/powers/node-cache.js,
// the lockdown bundles are `../../bundles/` from dist/pack/.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import url from 'node:url';

const root = path.resolve(path.dirname(url.fileURLToPath(import.meta.url)), '..');
const cliDir = path.join(root, 'dist', 'cli');
const outfile = path.join(cliDir, 'cordon-cli.cjs');
const manifestFile = path.join(cliDir, 'cordon-cli.json');
const FORMAT = 'cordon-cli-bundle-1';

const remove = () => {
  for (const file of [manifestFile, outfile, `${outfile}.map`]) fs.rmSync(file, { force: true });
};

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  remove();
  process.stderr.write('build-cli-bundle: esbuild not installed; no bundle (the CLI loads its modules)\n');
  process.exit(0);
}

const distDir = `${path.join(root, 'dist')}${path.sep}`;
// Every module of dist/ that reads import.meta.url gets its own URL, from the bundle's.
const ownUrls = {
  name: 'own-import-meta-url',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, args => {
      if (!args.path.startsWith(distDir)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      const relative = path.relative(cliDir, args.path).split(path.sep).join('/');
      return { contents: `const __cordonModuleUrl = new URL(${JSON.stringify(relative)}, __cordonBundleUrl).href;\n${text}`, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

// Packages the code imports with import() (amaro, for TypeScript) load when they are used, as they
// would unbundled: they stay outside, except ses, which every run needs.
const BUNDLED_DYNAMIC = new Set(['ses']);
const externalImports = new Set();
const lazyPackages = {
  name: 'lazy-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, args => {
      if (args.kind !== 'dynamic-import' || args.path.startsWith('node:') || BUNDLED_DYNAMIC.has(args.path)) return undefined;
      externalImports.add(args.path);
      return { path: args.path, external: true };
    });
  },
};

// Packages only some commands need are evaluated when first called, not when the bundle loads
// (esbuild evaluates every module a static import reaches; fflate's tables cost 4-5 ms at start-up,
// for archives only): each name dist/ imports of them is a function that loads the package first.
const DEFERRED_PACKAGES = { fflate: ['inflateSync'] };
const deferredPackages = {
  name: 'deferred-packages',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, args => {
      if (!Object.hasOwn(DEFERRED_PACKAGES, args.path) || args.kind !== 'import-statement' || args.namespace === 'deferred') return undefined;
      return { path: args.path, namespace: 'deferred', pluginData: { resolveDir: args.resolveDir } };
    });
    build.onLoad({ filter: /.*/, namespace: 'deferred' }, args => ({
      contents: [`let loaded;`, ...DEFERRED_PACKAGES[args.path].map(name => `export function ${name}(...args) { return (loaded ??= require(${JSON.stringify(args.path)})).${name}.apply(this, args); }`)].join('\n'),
      resolveDir: args.pluginData.resolveDir,
      loader: 'js',
    }));
  },
};

// Modules with top-level await (the lockdown bundles' JSON) cannot be in a CommonJS file: they stay
// ES modules, imported from the bundle at the specifier they have from dist/cli/.
const ESM_ONLY = new Set([path.join(root, 'dist', 'lockdown-bundle.js')]);
const esmOnly = {
  name: 'esm-only',
  setup(build) {
    build.onResolve({ filter: /^\./ }, args => {
      const target = path.resolve(args.resolveDir, args.path);
      if (!ESM_ONLY.has(target)) return undefined;
      if (args.kind !== 'dynamic-import') throw new Error(`build-cli-bundle: ${args.importer} imports ${args.path} statically; only import() can reach an ES module from the bundle`);
      const specifier = `./${path.relative(cliDir, target).split(path.sep).join('/')}`;
      externalImports.add(specifier);
      return { path: specifier, external: true };
    });
  },
};

// Written beside the target, then renamed: a CLI starting meanwhile sees the old files or the new
// (a new bundle with the old manifest is not current: it loads the modules).
const temporary = `${outfile}.${process.pid}.tmp`;
const manifestTemporary = `${manifestFile}.${process.pid}.tmp`;
const cleanUp = () => {
  for (const file of [temporary, `${temporary}.map`, manifestTemporary]) fs.rmSync(file, { force: true });
};
try {
  const started = Date.now();
  const result = await esbuild.build({
    entryPoints: [path.join(cliDir, 'cli.js')],
    // The metafile's paths are relative to this (whatever the working directory).
    absWorkingDir: root,
    outfile: temporary,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20.19',
    // Same files as the modules import (the packages' "import" builds).
    conditions: ['import'],
    mainFields: ['module', 'main'],
    define: { 'import.meta.url': '__cordonModuleUrl' },
    banner: { js: "'use strict';\nconst __cordonBundleUrl = require('node:url').pathToFileURL(__filename).href;" },
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'none',
    // ASCII (every other character escaped): main.js reads it as latin1, twice as fast as UTF-8.
    charset: 'ascii',
    metafile: true,
    logLevel: 'warning',
    plugins: [ownUrls, esmOnly, lazyPackages, deferredPackages],
  });

  // The map names the bundle by its final name. The import() calls left (of the modules kept out,
  // above) go through main.js's own import() when it runs the bundle (`__cordonImport`, launch.ts: a
  // script's import() needs vm's experimental loader hook, which Node 20 loses with a code cache), and
  // through the file's own when it is required as CommonJS.
  let imports = 0;
  const text = fs
    .readFileSync(temporary, 'utf8')
    .replace(/\bimport\(("(?:\.\.?\/[^"]*|[^".][^"]*)")\)/g, (_, specifier) => {
      imports += 1;
      return `__cordonDynamicImport(${specifier})`;
    })
    .replace("'use strict';\n", "'use strict';\nconst __cordonDynamicImport = typeof __cordonImport === 'function' ? __cordonImport : specifier => import(specifier);\n")
    // esbuild's __toESM copies a CommonJS module's every property into a new namespace object for
    // each module that imports it (59 imports of node:path, node:fs, …: 2-3 ms): one per module.
    .replace('\nvar __toCommonJS = ', '\nvar __cordonToESM = __toESM, __cordonNamespaces = new WeakMap();\n__toESM = (mod, isNodeMode) => {\n  if (mod === null || (typeof mod !== "object" && typeof mod !== "function")) return __cordonToESM(mod, isNodeMode);\n  let made = __cordonNamespaces.get(mod);\n  if (made === undefined) __cordonNamespaces.set(mod, (made = []));\n  return (made[isNodeMode ? 1 : 0] ??= __cordonToESM(mod, isNodeMode));\n};\nvar __toCommonJS = ')
    .replace(/\/\/# sourceMappingURL=.*\n?$/, `//# sourceMappingURL=${path.basename(outfile)}.map\n`)
    // esbuild escapes every other character outside ASCII (charset: 'ascii'); those left are in comments.
    .replace(/[^\0-\x7f]/g, char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (imports !== externalImports.size) throw new Error(`build-cli-bundle: ${imports} import() calls in the bundle, ${externalImports.size} modules kept out (${[...externalImports].join(', ')})`);

  const files = [];
  const packages = {};
  // Cordon's own dependencies are checked by version at start-up; theirs come with them.
  const direct = new Set(Object.keys(JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')).dependencies ?? {}));
  for (const input of Object.keys(result.metafile.inputs).sort()) {
    if (input.startsWith('deferred:')) continue;
    const absolute = path.resolve(root, input);
    const relative = path.relative(root, absolute).split(path.sep).join('/');
    // The innermost package folder (node_modules/a/node_modules/b/… is b's).
    const inPackage = [...relative.matchAll(/(?:^|\/)node_modules\/(?:@[^/]+\/)?[^/]+\//g)].at(-1);
    if (inPackage) {
      const dir = relative.slice(0, inPackage.index + inPackage[0].length - 1);
      const name = /node_modules\/((?:@[^/]+\/)?[^/]+)$/.exec(dir)[1];
      if (direct.has(name) && !(dir in packages)) packages[dir] = JSON.parse(fs.readFileSync(path.join(root, dir, 'package.json'), 'utf8')).version;
    } else if (relative.startsWith('dist/')) {
      const stat = fs.statSync(absolute);
      // Another build writing dist/ meanwhile: the bundle may hold a mix.
      if (stat.mtimeMs > started) throw new Error(`build-cli-bundle: ${relative} changed while it was bundled; build again`);
      files.push([relative, stat.size]);
    } else {
      throw new Error(`build-cli-bundle: an input outside dist/ and node_modules/: ${relative}`);
    }
  }
  const bytes = Buffer.from(text);
  const manifest = {
    format: FORMAT,
    bundle: path.basename(outfile),
    bytes: bytes.length,
    sha256: crypto.createHash('sha256').update(bytes).digest('hex'),
    files,
    packages,
  };
  fs.writeFileSync(temporary, bytes);
  fs.writeFileSync(manifestTemporary, `${JSON.stringify(manifest)}\n`);
  fs.renameSync(`${temporary}.map`, `${outfile}.map`);
  fs.renameSync(temporary, outfile);
  fs.renameSync(manifestTemporary, manifestFile);
  process.stdout.write(`build-cli-bundle: ${path.relative(root, outfile)} (${files.length} files of Cordon's, ${Object.keys(packages).length} packages, ${(bytes.length / 1024).toFixed(0)} KiB)\n`);
} catch (error) {
  cleanUp();
  remove();
  throw error;
}
