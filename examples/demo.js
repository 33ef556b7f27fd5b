// `npm run demo`: compile a small ESM + CommonJS + JSON example with Cordon's compiler and run it
// under SES lockdown in a Compartment. (Later issues grow this into `cordon run` on a whole app.)
import 'ses';
import fs from 'node:fs';
import path from 'node:path';
import { defaultParserForLanguage } from 'cordon/import-parsers.js';
import { ModuleSource } from 'cordon/module-source.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const root = path.join(import.meta.dirname, 'compile-demo');
const languages = { '.mjs': 'mjs', '.cjs': 'cjs', '.json': 'json' };

const compartment = new Compartment({
  __options__: true,
  globals: { console },
  resolveHook: (specifier, referrer) => path.posix.join(path.posix.dirname(referrer), specifier),
  importHook: async specifier => {
    const file = path.join(root, specifier);
    const language = languages[path.extname(file)];
    const { record } = defaultParserForLanguage[language].parse(fs.readFileSync(file), specifier, `file://${file}`, `file://${root}/`);
    return { source: record };
  },
});

const { namespace } = await compartment.import('./main.mjs');
console.log('Ran examples/compile-demo/main.mjs in a SES Compartment, after lockdown():');
console.log(`  message: ${namespace.message}`);
console.log(`  counted: ${namespace.counted}`);
console.log(`  warning: ${namespace.warning}`);
console.log(`  export names: ${Object.keys(namespace).join(', ')}`);

const program = new ModuleSource(fs.readFileSync(path.join(root, 'counter.mjs'), 'utf8')).__syncModuleProgram__;
console.log('\nWhat the compiler made of counter.mjs (line numbers kept):');
console.log(program.split('\n').map((line, i) => `  ${String(i + 1).padStart(2)} | ${line.length > 110 ? `${line.slice(0, 107)}...` : line}`).join('\n'));
