import 'ses';
import fs from 'node:fs'; import url from 'node:url'; import path from 'node:path'; import crypto from 'node:crypto';
import { builtinModules, createRequire } from 'node:module';
import inspector from 'node:inspector/promises';
const session = new inspector.Session(); session.connect(); await session.post('Profiler.enable'); await session.post('Profiler.setSamplingInterval', { interval: 100 });
const host = await import('../dist/cli/node-host.js');
lockdown(host.nodeLockdownOptions);
const app = process.argv[2]; const loc = process.argv[3] ?? 'file:///x/app.zip'; const n = Number(process.argv[4] ?? 1);
const { parseArchive } = await import('cordon/import-archive.js');
const { makeReadPowers } = await import('cordon/node-powers.js');
const powers = makeReadPowers({ fs, url, crypto, path });
const archive = new Uint8Array(fs.readFileSync(`bench/.apps/archive-${app}/cordon.zip`));
const require = createRequire(import.meta.url);
const names = new Set(builtinModules.flatMap(n => [n, `node:${n}`]));
const importHook = async s => names.has(s) ? { namespace: require(s) } : undefined;
const globals = host.nodeGlobals(new Set(Object.getOwnPropertyNames(new Compartment().globalThis)));
const which = Number(process.argv[5] ?? 0);
for (let i = 0; i < n; i++) {
if (i === which) await session.post('Profiler.start');
const t0 = performance.now();
const a = await parseArchive(archive, loc, { computeSha512: powers.computeSha512, importHook });
const t1 = performance.now();
await a.import({ globals, globalsFor: host.nodeGlobalsFor, importHook });
const t2 = performance.now();
if (i === which) { const { profile } = await session.post('Profiler.stop'); fs.writeFileSync('/tmp/call.cpuprofile', JSON.stringify(profile)); }
console.log(app, 'parse', (t1-t0).toFixed(1), 'import', (t2-t1).toFixed(1));
}
