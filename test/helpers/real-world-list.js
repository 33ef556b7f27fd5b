// The real-world list: popular npm packages (all devDependencies of this repository), by niche, with
// the module format each ships (esm: ES modules only; cjs: CommonJS only; dual: both, chosen by the
// `import`/`require` conditions; cjs+module: CommonJS with a bundlers' `"module"` field Node ignores).
//
// Run as a program (`node test/helpers/real-world-list.js OUT.json`), it writes Node's own answer for
// every package, from this clean process (no SES, no lockdown): the sorted keys of `await import(name)`
// and of `require(name)`, or the error each threw.
import fs from 'node:fs';
import url from 'node:url';
import { createRequire } from 'node:module';

export const NICHES = {
  'servers and HTTP': {
    express: 'cjs', koa: 'dual', fastify: 'cjs', hono: 'dual', ws: 'dual', 'body-parser': 'cjs', cors: 'cjs',
    helmet: 'dual', axios: 'dual', 'node-fetch': 'esm',
  },
  logging: { pino: 'cjs', winston: 'cjs', bunyan: 'cjs', loglevel: 'cjs', debug: 'cjs', consola: 'dual' },
  templates: { handlebars: 'cjs', ejs: 'dual', nunjucks: 'cjs', mustache: 'dual', pug: 'cjs', liquidjs: 'cjs+module' },
  'HTML and markdown': { marked: 'esm', 'markdown-it': 'dual', cheerio: 'dual', htmlparser2: 'esm', 'sanitize-html': 'cjs' },
  streams: { 'readable-stream': 'cjs', through2: 'dual', split2: 'cjs' },
  validation: { zod: 'dual', ajv: 'cjs', joi: 'cjs', yup: 'cjs+module', validator: 'cjs', superstruct: 'esm' },
  CLI: { commander: 'dual', yargs: 'esm', chalk: 'cjs', picocolors: 'cjs', kleur: 'dual', meow: 'esm', minimist: 'cjs' },
  'crypto and ids': {
    jsonwebtoken: 'cjs', bcryptjs: 'dual', 'crypto-js': 'cjs', tweetnacl: 'cjs', jose: 'esm', nanoid: 'esm', uuid: 'esm',
  },
  utilities: {
    lodash: 'cjs', 'lodash-es': 'esm', underscore: 'dual', ramda: 'dual', async: 'cjs+module', bluebird: 'cjs',
    'fs-extra': 'cjs', glob: 'dual', 'p-limit': 'esm', eventemitter3: 'dual', ms: 'cjs', qs: 'cjs', semver: 'cjs',
    'lru-cache': 'dual', dotenv: 'cjs', tslib: 'dual',
  },
  dates: { moment: 'cjs', dayjs: 'cjs', 'date-fns': 'dual', luxon: 'dual' },
  'data formats': { 'js-yaml': 'dual', yaml: 'cjs', graphql: 'cjs+module', protobufjs: 'cjs' },
  'state and UI': { react: 'cjs', 'react-dom': 'cjs', redux: 'dual', immer: 'dual', immutable: 'cjs+module', rxjs: 'cjs+module' },
  tooling: { typescript: 'esm', mocha: 'esm' },
};

export const REAL_WORLD = Object.values(NICHES).flatMap(niche => Object.keys(niche));

/** The two ways an application reaches a package: an ES module's `import * as`, a CommonJS `require`. */
export const KINDS = ['import', 'require'];

/** Sorted own enumerable keys: export names of a namespace, or the keys of `require`'s value. */
export const keysOf = value => (value !== null && (typeof value === 'object' || typeof value === 'function') ? Object.keys(value).sort() : []);

if (process.argv[1] && url.pathToFileURL(process.argv[1]).href === import.meta.url) {
  const require = createRequire(new URL('../../package.json', import.meta.url));
  const out = {};
  for (const name of REAL_WORLD) {
    out[name] = {};
    try {
      out[name].import = { keys: keysOf(await import(name)) };
    } catch (error) {
      out[name].import = { error: String(error?.message ?? error) };
    }
    try {
      out[name].require = { keys: keysOf(require(name)) };
    } catch (error) {
      out[name].require = { error: String(error?.message ?? error) };
    }
  }
  fs.writeFileSync(process.argv[2], JSON.stringify(out));
  process.exit(0);
}
