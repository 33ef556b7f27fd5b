// The engine harnesses: a real XS engine (test/helpers/xs.js) and a fresh node:vm realm
// (test/helpers/vm-realm.js), each after a SES lockdown bundle (by default @agoric/xsnap-lockdown's
// published one). If xsnap-worker is not built these tests fail, not skip: `npm test` builds it
// first (`npm run build:xs`).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { runInXs, xsAvailable, xsnapWorkerPath } from '../helpers/xs.js';
import { runInVmRealm } from '../helpers/vm-realm.js';

const require = createRequire(import.meta.url);

test('the XS engine is built', () => {
  assert.ok(xsAvailable(), `xsnap-worker is not built (${xsnapWorkerPath()}): run \`npm run build:xs\``);
});

const engines = [
  ['XS', runInXs],
  ['vm realm', runInVmRealm],
];

// Lists the xsnap-worker processes this process started that are still alive (Linux /proc).
const liveXsChildren = () => {
  if (!fs.existsSync('/proc/self/stat')) return [];
  const alive = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      if (ppid === process.pid && state !== 'Z' && fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('cordon-xs-harness')) {
        alive.push(Number(entry));
      }
    } catch {
      // gone meanwhile
    }
  }
  return alive;
};

const lockdownProbes = [
  'typeof lockdown',
  `(() => { try { lockdown(); return 'locked down twice'; } catch (e) { return /SES_ALREADY_LOCKED_DOWN/.test(e.message); } })()`,
  'Object.isFrozen(Object.prototype)',
  'Object.isFrozen(Array.prototype)',
  'Object.isFrozen(Function.prototype) && Object.isFrozen(Promise.prototype)',
  'const o = harden({ inner: { n: 1 }, list: [1, 2] }); [Object.isFrozen(o), Object.isFrozen(o.inner), Object.isFrozen(o.list)]',
  `(() => { const o = harden({ n: 1 }); try { o.n = 2; } catch (e) { return ['throws', e.name, o.n]; } return ['no throw', o.n]; })()`,
  'new Compartment().evaluate("1+1")',
  `(() => { const c = new Compartment({ answer: 42 }); return [c.evaluate('answer'), c.evaluate('typeof print'), c.globalThis === globalThis]; })()`,
];
const lockedDownAnswers = [
  'function',
  true,
  true,
  true,
  true,
  [true, true, true],
  ['throws', 'TypeError', 1],
  2,
  [42, 'undefined', false],
];

for (const [engine, run] of engines) {
  test(`${engine}: the published lockdown bundle locks down; harden and Compartment work`, async () => {
    const { results, lockdown } = await run(lockdownProbes);
    assert.equal(lockdown, 'by-bundle', 'the published bundle calls lockdown() itself (@endo/init)');
    assert.deepEqual(results, lockedDownAnswers);
  });

  test(`${engine}: without a lockdown bundle nothing is frozen (the probes above can tell)`, async () => {
    const { results, lockdown } = await run(
      ['typeof lockdown', 'Object.isFrozen(Object.prototype)', 'Object.isFrozen(Array.prototype)'],
      { lockdown: false },
    );
    assert.equal(lockdown, undefined);
    assert.deepEqual(results, ['undefined', false, false]);
  });

  test(`${engine}: completion values come back as JSON, promises awaited, in order, state shared through globalThis`, async () => {
    const { results } = await run([
      '1 + 1',
      'Promise.resolve(20).then(n => n + 1)',
      'new Promise(resolve => Promise.resolve().then(() => resolve({ nested: [1, "two", null] })))',
      'globalThis.counter = 41; undefined',
      'globalThis.counter + 1',
      '(async () => { await null; return "async done"; })()',
    ]);
    assert.deepEqual(results, [2, 21, { nested: [1, 'two', null] }, undefined, 42, 'async done']);
  });

  test(`${engine}: print and console output is recorded`, async () => {
    const { prints } = await run(['print("plain", 1, true)', 'console.log("via console", 2)', 'console.error("err line")']);
    assert.deepEqual(prints, ['plain 1 true', 'via console 2', 'err line']);
  });

  test(`${engine}: a throw rejects with its message, and so does a rejected completion promise`, async () => {
    await assert.rejects(run(['1', 'throw new RangeError("kaboom-sync")', '"never reached"']), error => {
      assert.match(error.message, /source #2 threw RangeError: kaboom-sync/);
      assert.deepEqual(error.engineError, { index: 1, error: 'kaboom-sync', name: 'RangeError' });
      return true;
    });
    await assert.rejects(run(['Promise.reject(new TypeError("kaboom-async"))']), /source #1 threw TypeError: kaboom-async/);
    await assert.rejects(run(['this is not javascript']), /source #1 threw SyntaxError/);
    await assert.rejects(run(['new Promise(() => {})']), /never settled/);
    await assert.rejects(run(['10n']), /not JSON-serialisable/);
  });

  test(`${engine}: the timeout ends an endless loop`, async () => {
    const started = Date.now();
    await assert.rejects(run(['1', 'for (;;) {}'], { timeoutMs: 1500 }), /timed out after 1500 ms \(source #2\)/);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 5000, `took ${elapsed} ms`);
    assert.ok(elapsed >= 1400, `gave up early: ${elapsed} ms`);
    await assert.rejects(run(['Promise.resolve().then(function spin() { for (;;) {} })'], { timeoutMs: 1000 }), /timed out/);
    assert.deepEqual(liveXsChildren(), [], 'no xsnap-worker of this process is left running');
  });

  test(`${engine}: a caller-given lockdown script (ses.umd.js) is evaluated, then lockdown(options)`, async () => {
    const ses = fs.readFileSync(require.resolve('ses/package.json').replace(/package\.json$/, 'dist/ses.umd.js'), 'utf8');
    // overrideTaming 'min' leaves Error.prototype.message a data property; the default ('moderate') makes it an accessor.
    const probe = ['"get" in Object.getOwnPropertyDescriptor(Error.prototype, "message")', 'Object.isFrozen(Object.prototype)', 'new Compartment().evaluate("6*7")'];
    const moderate = await run(probe, { lockdown: ses });
    assert.equal(moderate.lockdown, 'by-harness');
    assert.deepEqual(moderate.results, [true, true, 42]);
    const min = await run(probe, { lockdown: ses, lockdownOptions: { overrideTaming: 'min' } });
    assert.deepEqual(min.results, [false, true, 42]);
    await assert.rejects(run(['1'], { lockdownOptions: { overrideTaming: 'min' } }), /already called lockdown\(\) itself/);
  });
}

test('XS and the vm realm give the same answers to the same sources', async () => {
  const sources = [...lockdownProbes, '[typeof harden, typeof assert, typeof HandledPromise, typeof Compartment, typeof atob]'];
  const [xs, vmRealm] = await Promise.all([runInXs(sources), runInVmRealm(sources)]);
  assert.deepEqual(xs.results, vmRealm.results);
  assert.deepEqual(xs.results.at(-1), ['function', 'function', 'function', 'function', 'function']);
});

test('the published bundle object can be passed explicitly (the nestedEvaluate path)', async () => {
  const bundle = JSON.parse(fs.readFileSync(require.resolve('@agoric/xsnap-lockdown/dist/lockdown.bundle'), 'utf8'));
  assert.equal(bundle.moduleFormat, 'nestedEvaluate');
  for (const [engine, run] of engines) {
    const { results } = await run(['Object.isFrozen(Object.prototype)'], { lockdown: bundle });
    assert.deepEqual(results, [true], engine);
  }
  await assert.rejects(runInVmRealm(['1'], { lockdownBundle: { moduleFormat: 'endoZipBase64', endoZipBase64: '' } }), /cannot evaluate a bundle of moduleFormat "endoZipBase64"|a lockdown bundle is/);
});
