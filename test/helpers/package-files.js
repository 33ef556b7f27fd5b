// Loads installed npm packages into an in-memory file map for the compile-stage tests, and gives
// the language Node would give each file (with the bundler convention for ESM-syntax `.js` files that
// a `module` field points at in a CommonJS package).
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parse as lexCommonJs } from 'cjs-module-lexer';

const require = createRequire(import.meta.url);

export const packageRoot = name => {
  for (const dir of require.resolve.paths(name) ?? []) {
    const candidate = path.join(dir, name);
    if (fs.existsSync(path.join(candidate, 'package.json'))) return candidate;
  }
  throw new Error(`package ${name} is not installed`);
};

/** `./<name>/<file>` → text, for every .js/.mjs/.cjs/.json file of each named package. */
export const loadPackages = names => {
  const files = new Map();
  for (const name of names) {
    const root = packageRoot(name);
    for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (!entry.isFile() || !/\.(m?js|cjs|json)$/.test(entry.name)) continue;
      const full = path.join(entry.parentPath ?? entry.path, entry.name);
      files.set(`./${name}/${path.relative(root, full).split(path.sep).join('/')}`, fs.readFileSync(full, 'utf8'));
    }
  }
  return files;
};

/** Node's language for a path in the map: extension, else the nearest package.json `type`. */
export const makeLanguageOf = files => file => {
  if (file.endsWith('.mjs')) return 'mjs';
  if (file.endsWith('.cjs')) return 'cjs';
  if (file.endsWith('.json')) return 'json';
  const parts = file.split('/');
  for (let i = parts.length - 1; i > 0; i -= 1) {
    const descriptor = files.get(`${parts.slice(0, i).join('/')}/package.json`);
    if (descriptor === undefined) continue;
    let type;
    try {
      type = JSON.parse(descriptor).type;
    } catch {
      continue;
    }
    if (type === 'module') return 'mjs';
    if (type === 'commonjs') return 'cjs';
    if (i <= 2) break;
  }
  try {
    lexCommonJs(files.get(file));
    return 'cjs';
  } catch (error) {
    return error.code === 'ERR_LEXER_ESM_SYNTAX' ? 'mjs' : 'cjs';
  }
};

/** A minimal bare-specifier resolver over the map (exports with conditions, main, index). */
export const makeBareResolver = (files, conditions) => specifier => {
  const segments = specifier.split('/');
  const nameLength = specifier.startsWith('@') ? 2 : 1;
  const name = segments.slice(0, nameLength).join('/');
  const subpath = segments.slice(nameLength).join('/');
  const descriptorText = files.get(`./${name}/package.json`);
  if (descriptorText === undefined) return undefined;
  const descriptor = JSON.parse(descriptorText);
  const pick = target => {
    if (typeof target === 'string') return target;
    if (target && typeof target === 'object') {
      for (const [key, value] of Object.entries(target)) {
        if (key === 'default' || conditions.includes(key)) {
          const found = pick(value);
          if (found) return found;
        }
      }
    }
    return undefined;
  };
  let target;
  if (subpath === '') {
    const exp = descriptor.exports;
    target = exp === undefined ? descriptor.main ?? 'index.js' : pick(typeof exp === 'string' || !('.' in exp) ? exp : exp['.']);
  } else {
    target = descriptor.exports?.[`./${subpath}`] ? pick(descriptor.exports[`./${subpath}`]) : subpath;
  }
  return `./${name}/${target.replace(/^\.\//, '')}`;
};
