// Generated applications for the scaling curve: N modules spread over P packages, a mix of ES modules
// and CommonJS, each module importing two others of its package and the first module importing the
// next package, so that every module is reached. Deterministic: the same N and P give the same files.
import fs from 'node:fs';
import path from 'node:path';

/** Writes the app under `root` (replacing it) and returns its entry file. */
export const generateApp = (root, modules, packages) => {
  fs.rmSync(root, { recursive: true, force: true });
  const perPackage = Math.max(1, Math.floor(modules / packages));
  const names = Array.from({ length: packages }, (_, i) => `gen-pkg-${i}`);
  const write = (file, text) => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  };
  write(path.join(root, 'package.json'), JSON.stringify({ name: 'gen-app', version: '1.0.0', type: 'module', dependencies: Object.fromEntries(names.map(n => [n, '1.0.0'])) }, null, 2));
  write(path.join(root, 'main.js'), `${names.map((n, i) => `import * as p${i} from '${n}';`).join('\n')}\nexport const total = ${names.map((_, i) => `p${i}.value`).join(' + ') || '0'};\n`);
  names.forEach((name, p) => {
    const dir = path.join(root, 'node_modules', name);
    const next = names[p + 1];
    write(path.join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', type: 'module', exports: './m0.js', ...(next ? { dependencies: { [next]: '1.0.0' } } : {}) }, null, 2));
    for (let m = 0; m < perPackage; m += 1) {
      const children = [2 * m + 1, 2 * m + 2].filter(c => c < perPackage);
      // Every third module is CommonJS (.cjs), the rest ES modules.
      const cjs = m % 3 === 2;
      const file = path.join(dir, `m${m}.${cjs ? 'cjs' : 'js'}`);
      const childFile = c => `./m${c}.${c % 3 === 2 ? 'cjs' : 'js'}`;
      const body = `function work${m}(x) { let s = 0; for (let i = 0; i < 3; i += 1) s += (x * ${m + 1} + i) % 7; return s; }`;
      if (cjs) {
        write(file, `'use strict';\n${children.map(c => `const c${c} = require('${childFile(c)}');`).join('\n')}\n${body}\nexports.value = work${m}(1)${children.map(c => ` + c${c}.value`).join('')};\n`);
      } else {
        const imports = children.map(c => `import { value as c${c} } from '${childFile(c)}';`);
        if (m === 0 && next) imports.push(`import { value as nextPackage } from '${next}';`);
        write(file, `${imports.join('\n')}\n${body}\nexport const value = work${m}(1)${children.map(c => ` + c${c}`).join('')}${m === 0 && next ? ' + nextPackage' : ''};\n`);
      }
    }
  });
  return path.join(root, 'main.js');
};
