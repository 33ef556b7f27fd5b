// The workflow matrix as bundles: every scenario of test/run/matrix.test.js as each bundleSource format
// (endoZipBase64, endoScript, getExport, nestedEvaluate), imported by importBundle in this process, and
// in a fresh vm realm and a real XS worker after the lockdown bundle: the script formats evaluated as
// importBundle evaluates them (one Compartment, hardened global), the zip format by Cordon's own
// importBundle bundled as a script and run inside that engine. Each agrees with importLocation
// (expected.json's namespace, with its `archive` overrides for the zip format and `bundle` overrides).
import 'ses';
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import url from 'node:url';
import { bundleSource } from 'cordon/bundle-source.js';
import { importBundle } from 'cordon/import-bundle.js';
import { makeScript } from 'cordon/script.js';
import { fixtureRoot, nodePowers } from '../helpers/fixtures.js';
import { runInVmRealm } from '../helpers/vm-realm.js';
import { runInXs } from '../helpers/xs.js';

lockdown({ errorTaming: 'unsafe', overrideTaming: 'severe' });

const SCENARIOS = ['interop', 'isolation', 'undeclared', 'exits', 'dynamic-require', 'load-errors'];
const FORMATS = ['endoZipBase64', 'endoScript', 'getExport', 'nestedEvaluate'];
const BUNDLE_URL = 'file:///archive/app.zip';

// Host modules, the same in every engine (XS has no Node builtins: an object with the member the
// fixture checks stands for fs): a `require` for the script formats, an importHook for the zip format.
const HOST = `(() => {
  const fs = { readFileSync() { return ''; } };
  const table = { fs, 'node:fs': fs, 'host:thing': 'host thing', 'host:lib': 'from the host' };
  const require = specifier => {
    // fflate's Node build (inside Cordon's archive reader) asks for createRequire to find workers.
    if (specifier === 'module') return { createRequire: () => name => { throw new Error('Cannot find module ' + name); } };
    if (!(specifier in table)) throw new Error('no host module ' + specifier);
    return table[specifier];
  };
  const namespaces = {};
  const importHook = async specifier => {
    if (!(specifier in table)) return undefined;
    const value = table[specifier];
    return { namespace: (namespaces[specifier] ??= typeof value === 'string' ? { default: value } : { default: value, ...value }) };
  };
  return { require, importHook };
})()`;

// A bare V8 realm (vm.createContext) has only ECMAScript's intrinsics; Cordon's archive reader decodes
// UTF-8, which every host engine gives (Node, XS, browsers): the harness gives the bare realm a minimal
// TextDecoder/TextEncoder, as a host would.
const TEXT_CODECS = `if (typeof TextDecoder === 'undefined') {
  globalThis.TextDecoder = class TextDecoder {
    get encoding() { return 'utf-8'; }
    decode(bytes = new Uint8Array(0)) {
      const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes.buffer ?? bytes, bytes.byteOffset ?? 0, bytes.byteLength);
      let out = '';
      for (let i = 0; i < view.length; ) {
        const b = view[i++];
        let c = b;
        if (b >= 0xf0) c = ((b & 7) << 18) | ((view[i++] & 63) << 12) | ((view[i++] & 63) << 6) | (view[i++] & 63);
        else if (b >= 0xe0) c = ((b & 15) << 12) | ((view[i++] & 63) << 6) | (view[i++] & 63);
        else if (b >= 0xc0) c = ((b & 31) << 6) | (view[i++] & 63);
        out += String.fromCodePoint(c);
      }
      return out;
    }
  };
  globalThis.TextEncoder = class TextEncoder {
    get encoding() { return 'utf-8'; }
    encode(text = '') {
      const out = [];
      for (const ch of String(text)) {
        const c = ch.codePointAt(0);
        if (c < 0x80) out.push(c);
        else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 63));
        else if (c < 0x10000) out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
        else out.push(0xf0 | (c >> 18), 0x80 | ((c >> 12) & 63), 0x80 | ((c >> 6) & 63), 0x80 | (c & 63));
      }
      return new Uint8Array(out);
    }
  };
}`;

/** Source that imports a bundle as importBundle does and completes with the expected keys as JSON. */
const program = (bundle, keys, importer) => `(async () => {
  const { require, importHook } = ${HOST};
  globalThis.require = require;
  const bundle = ${JSON.stringify(bundle)};
  let namespace;
  if (bundle.moduleFormat === 'endoZipBase64') {
    ${TEXT_CODECS}
    const { importBundle } = (${importer});
    namespace = await importBundle(bundle, { bundleUrl: ${JSON.stringify(BUNDLE_URL)}, importHook });
  } else {
    let compartment;
    const globals = { require, nestedEvaluate: text => compartment.evaluate(text) };
    compartment = new Compartment({ __options__: true, globals });
    harden(compartment.globalThis);
    const source = bundle.moduleFormat === 'endoScript' ? bundle.source : '(' + bundle.source + ')\\n' + bundle.sourceMap;
    const result = compartment.evaluate(source);
    namespace = bundle.moduleFormat === 'endoScript' ? result : result('/bundled-source/.../');
  }
  const out = {};
  for (const key of ${JSON.stringify(keys)}) out[key] = await namespace[key];
  return JSON.stringify(out);
})()`;

// Cordon's importBundle as a script, for the engines without Node (made once).
let importerScript;
const importer = async () => {
  importerScript ??= await makeScript(nodePowers(), url.pathToFileURL(fs.realpathSync(new URL('../../dist/import-bundle.js', import.meta.url))).href, { format: 'cjs' });
  return importerScript;
};

const inProcess = async (bundle, keys) => {
  const host = new Compartment().evaluate(HOST);
  const namespace = await importBundle(bundle, { bundleUrl: BUNDLE_URL, importHook: host.importHook, endowments: { require: host.require } });
  const out = {};
  for (const key of keys) out[key] = await namespace[key];
  return JSON.stringify(out);
};

const ENGINES = {
  'importBundle (this process)': inProcess,
  'vm realm': async (bundle, keys) => (await runInVmRealm([program(bundle, keys, await importer())], { timeoutMs: 60000 })).results[0],
  XS: async (bundle, keys) => (await runInXs([program(bundle, keys, await importer())], { timeoutMs: 60000 })).results[0],
};

for (const scenario of SCENARIOS) {
  const expected = JSON.parse(fs.readFileSync(new URL(`../fixtures/${scenario}/expected.json`, import.meta.url), 'utf8'));
  const entry = `${fixtureRoot(scenario)}${expected.entry}`;
  test(`bundles matrix: ${scenario}`, async () => {
    const keys = Object.keys(expected.namespace ?? {});
    for (const format of FORMATS) {
      const isZip = format === 'endoZipBase64';
      const override = expected.bundle?.[format] ?? (isZip ? undefined : expected.bundle?.scripts);
      const reason = isZip ? expected.archive : expected.script;
      const host = new Compartment().evaluate(HOST);
      const make = () => bundleSource(entry, { format, conditions: expected.conditions ?? [], ...(isZip ? { importHook: host.importHook } : {}) });
      const wantedError = override?.error ?? expected.error;
      if (wantedError) {
        await assert.rejects(make(), error => {
          assert.equal(error.code, wantedError, `${format}: ${error.message}`);
          return true;
        });
        continue;
      }
      const bundle = await make();
      if (typeof reason === 'string') {
        // Not bundled (a closed world): the computed require fails when the bundle runs.
        await assert.rejects(inProcess(bundle, keys), error => {
          assert.match(String(error?.message), /Cannot find module|cannot resolve|plugin-alpha/, format);
          return true;
        });
        continue;
      }
      const wanted = { ...expected.namespace, ...(isZip ? expected.archive : expected.script?.all?.namespace), ...override?.namespace };
      for (const [engine, run] of Object.entries(ENGINES)) {
        if (override?.importError) {
          await assert.rejects(run(bundle, keys), new RegExp(override.importError), `${format} in ${engine}`);
          continue;
        }
        assert.deepEqual(JSON.parse(await run(bundle, keys)), wanted, `${format} in ${engine}`);
      }
    }
  });
}
