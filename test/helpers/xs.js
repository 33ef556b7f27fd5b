// Run JavaScript in a real XS engine (@agoric/xsnap's xsnap-worker), after a SES lockdown bundle.
//
//   const { results, prints } = await runInXs(['1 + 1', 'Promise.resolve(3)']);  // results: [2, 3]
//
// Each source is a script, evaluated in order in one worker by the global `eval` (the same way the
// worker's own `evaluate` command does it: xsnap-worker.c calls `globalThis.eval`, which after
// lockdown is SES's evaluator: strict, so a top-level `var` stays local; share state through
// `globalThis`). Its completion value, awaited if it is a promise, comes back as JSON; a throw or a
// rejection makes runInXs reject with an Error naming the message. The worker always ends: closed
// when done, killed (SIGKILL) on timeout or failure.
//
// Why a worker thread: @agoric/xsnap's host client needs a locked-down host (its modules call
// `harden` and `assert` at load and use HandledPromise: it is meant to run under `@endo/init`).
// Locking down the test process would change every test in it, so the client runs in a worker
// thread of its own (this same file), which locks down only its own realm.
//
// Also exported for the vm-realm harness: the published lockdown bundle, the nestedEvaluate →
// script conversion, and the completion wrapper (the same code runs in both engines).
import fs from 'node:fs';
import os from 'node:os';
import { createRequire } from 'node:module';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';

const require = createRequire(import.meta.url);

const platform = { Linux: 'lin', Darwin: 'mac' }[os.type()];

/** Where @agoric/xsnap spawns its worker from (src/xsnap.js: ../xsnap-native/xsnap/build/bin/<os>/release/). */
export const xsnapWorkerPath = () => {
  const pkg = require.resolve('@agoric/xsnap/package.json');
  return pkg.replace(/package\.json$/, `xsnap-native/xsnap/build/bin/${platform}/release/xsnap-worker`);
};

/** Whether the xsnap-worker binary is built (`npm run build:xs` builds it). */
export function xsAvailable() {
  if (!platform) return false;
  try {
    fs.accessSync(xsnapWorkerPath(), fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * A bundle as a script whose evaluation runs it (and whose completion value is its namespace).
 * - nestedEvaluate: `source` is `(sourceUrlPrefix) => …` ; it evaluates each module with the
 *   `nestedEvaluate` global when there is one, else with `eval` (the global eval of the realm it runs
 *   in). Called with no prefix, as xsnap's avaXS and swingset do: `(${source}\n)()`; @endo/import-bundle
 *   gives a filePrefix instead.
 * - getExport: `source` is `function getExport(filePrefix) …`: the same call.
 * - endoScript: `source` is already a script.
 * @param {{moduleFormat: string, source: string} | string} bundle  a bundle, its JSON, or a plain script
 */
export function bundleToScript(bundle) {
  if (typeof bundle === 'string') {
    if (/^\s*\{\s*"moduleFormat"/.test(bundle)) return bundleToScript(JSON.parse(bundle));
    return bundle; // a plain script, e.g. ses/dist/ses.umd.js
  }
  if (bundle === null || typeof bundle !== 'object' || typeof bundle.source !== 'string') {
    throw TypeError('a lockdown bundle is {moduleFormat, source}, its JSON text, or a script');
  }
  switch (bundle.moduleFormat) {
    case 'nestedEvaluate':
    case 'getExport':
      return `(${bundle.source}\n)()`;
    case 'endoScript':
      return bundle.source;
    default:
      throw TypeError(`cannot evaluate a bundle of moduleFormat ${JSON.stringify(bundle.moduleFormat)} as a script`);
  }
}

let published;
/** The published @agoric/xsnap-lockdown bundle (ses-boot.js: console shim over `print`, @endo/init, which calls lockdown). */
export function publishedLockdownBundle() {
  published ??= JSON.parse(fs.readFileSync(require.resolve('@agoric/xsnap-lockdown/dist/lockdown.bundle'), 'utf8'));
  return published;
}

/** `lockdown` option → the script to evaluate first, or undefined for none. */
export function lockdownScriptOf(lockdown) {
  if (lockdown === false || lockdown === null) return undefined;
  if (lockdown === undefined || lockdown === 'published') return bundleToScript(publishedLockdownBundle());
  return bundleToScript(lockdown);
}

// The completion wrapper: a script that evaluates `src` with the global eval, awaits its completion
// value and calls send(json) exactly once: {"value": v} | {"undefined": true} | {"error", "name"}.
// `sendExpr` is an expression evaluated before `src` runs (so the source cannot redirect it).
const wrapperFunction = `(send, src, index) => {
  'use strict';
  const { stringify } = JSON;
  const describe = e => {
    try {
      if (e !== null && (typeof e === 'object' || typeof e === 'function') && 'message' in e) {
        return { error: String(e.message), name: String(e.name) };
      }
      return { error: String(e), name: typeof e };
    } catch (_) {
      return { error: '(an unprintable thrown value)', name: 'unknown' };
    }
  };
  const fail = e => send(stringify({ index, ...describe(e) }));
  const deliver = v => {
    let json;
    try {
      json = v === undefined ? stringify({ index, undefined: true }) : stringify({ index, value: v });
    } catch (e) {
      json = stringify({ index, error: 'the completion value is not JSON-serialisable: ' + describe(e).error, name: 'TypeError' });
    }
    send(json);
  };
  let completion;
  try {
    completion = (0, eval)(src);
  } catch (e) {
    fail(e);
    return;
  }
  Promise.resolve(completion).then(deliver, fail);
}`;

/** A script that runs `src` and reports its (awaited) completion through `sendExpr`. */
export const completionScript = (src, index, sendExpr) =>
  `(${wrapperFunction})(${sendExpr}, ${JSON.stringify(String(src))}, ${JSON.stringify(index)});`;

// The lockdown step, as a source: calls lockdown(options) unless the bundle already did (the
// published one does: @endo/init locks down with its defaults); its completion says which.
export const lockdownStepSource = options => `(() => {
  const options = ${JSON.stringify(options ?? null)};
  if (typeof lockdown !== 'function') throw TypeError('the lockdown bundle did not define lockdown()');
  try {
    options ? lockdown(options) : lockdown();
    return 'by-harness';
  } catch (e) {
    if (!/SES_ALREADY_LOCKED_DOWN/.test(String(e && e.message))) throw e;
    if (options) throw TypeError('the lockdown bundle already called lockdown() itself, so these lockdown options cannot apply: ' + e.message);
    return 'by-bundle';
  }
})()`;

/** Settled messages → the runner's result, or the Error to reject with. */
export function collectOutcome(engine, messages, count, prints) {
  const byIndex = new Map(messages.map(m => [m.index, m]));
  const lockdownMessage = byIndex.get('lockdown');
  if (lockdownMessage?.error !== undefined) {
    return { error: Object.assign(Error(`${engine}: lockdown() failed: ${lockdownMessage.name}: ${lockdownMessage.error}`), { engineError: lockdownMessage, prints }) };
  }
  const results = [];
  for (let i = 0; i < count; i += 1) {
    const m = byIndex.get(i);
    if (m === undefined) {
      return { error: Object.assign(Error(`${engine}: source #${i + 1}'s completion value never settled (the engine went idle with it pending)`), { prints }) };
    }
    if (m.error !== undefined) {
      return { error: Object.assign(Error(`${engine}: source #${i + 1} threw ${m.name}: ${m.error}`), { engineError: m, prints }) };
    }
    results.push(m.undefined ? undefined : m.value);
  }
  return { results, prints, lockdown: lockdownMessage?.value };
}

/**
 * @param {string[]} sources  scripts, evaluated in order after lockdown
 * @param {{ timeoutMs?: number, lockdown?: 'published' | false | string | {moduleFormat: string, source: string},
 *   lockdownOptions?: object, meteringLimit?: number }} [options]
 *   lockdownOptions go to lockdown() (not with the published bundle: it has locked down already);
 *   meteringLimit: XS computrons per evaluation (0, the default: unlimited, the timeout bounds it)
 * @returns {Promise<{results: unknown[], prints: string[], lockdown: 'by-bundle' | 'by-harness' | undefined}>}
 */
export async function runInXs(sources, { timeoutMs = 20000, lockdown = 'published', lockdownOptions, meteringLimit = 0 } = {}) {
  if (!xsAvailable()) {
    throw Error(`the XS engine is not built (no ${xsnapWorkerPath()}): run \`npm run build:xs\``);
  }
  const lockdownScript = lockdownScriptOf(lockdown);
  const job = { cordonXsHarness: true, sources: [...sources].map(String), lockdownScript, lockdownOptions, timeoutMs, meteringLimit };
  const thread = new Worker(new URL(import.meta.url), { workerData: job, stdout: true, stderr: true });
  let pid;
  let threadOutput = '';
  thread.stdout.on('data', chunk => (threadOutput += chunk));
  thread.stderr.on('data', chunk => (threadOutput += chunk));
  const killEngine = () => {
    if (pid === undefined) return;
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  try {
    return await threadAnswer(thread, {
      label: 'XS',
      timeoutMs,
      onTimeout: () => {
        killEngine();
        return 'engine killed';
      },
      onMessage: message => {
        if (message.pid === undefined) return false;
        pid = message.pid;
        return true;
      },
      exitDetail: () => (threadOutput ? `:\n${threadOutput}` : ''),
    });
  } finally {
    killEngine(); // a no-op when the engine exited (the pid may be reused in theory; it is ours only moments ago)
    await thread.terminate();
  }
}

/**
 * The one answer of a harness thread (`{ outcome }` or `{ error }`), shared by runInXs and
 * runInVmRealm. The thread keeps its own timer; the backstop is for a thread that fails to end.
 * `onMessage` may consume a message (returns true); `exitDetail` adds to the exit error.
 */
export function threadAnswer(thread, { label, timeoutMs, onTimeout = () => 'terminated', onMessage = () => false, exitDetail = () => '' }) {
  return new Promise((resolve, reject) => {
    const backstop = setTimeout(() => reject(Error(`${label}: the harness thread did not end within ${timeoutMs} ms + 10 s; ${onTimeout()}`)), timeoutMs + 10_000);
    thread.on('message', message => {
      if (onMessage(message)) return;
      clearTimeout(backstop);
      if (message.error) reject(Object.assign(Error(message.error.message), message.error.extra));
      else resolve(message.outcome);
    });
    thread.on('error', error => {
      clearTimeout(backstop);
      reject(error);
    });
    thread.on('exit', code => {
      clearTimeout(backstop);
      reject(Error(`${label}: the harness thread exited (${code}) without an answer${exitDetail()}`));
    });
  });
}

// ---- the worker thread: @endo/init + @agoric/xsnap ----

async function threadMain({ sources, lockdownScript, lockdownOptions, timeoutMs, meteringLimit }) {
  const started = Date.now();
  await import('@endo/init');
  const { xsnap } = await import('@agoric/xsnap');
  const childProcess = await import('node:child_process');
  const fsPromises = await import('node:fs/promises');

  const decoder = new TextDecoder();
  const prints = [];
  const messages = [];
  let engineStdout = '';
  let engineStderr = '';
  let child;
  const spawn = (...args) => {
    child = childProcess.spawn(...args);
    parentPort.postMessage({ pid: child.pid });
    child.stdout?.on('data', chunk => (engineStdout += chunk));
    child.stderr?.on('data', chunk => (engineStderr += chunk));
    return child;
  };
  const handleCommand = async bytes => {
    const message = JSON.parse(decoder.decode(bytes));
    if (message.print !== undefined) prints.push(message.print);
    else messages.push(message);
    return new Uint8Array(0);
  };

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child?.kill('SIGKILL');
  }, Math.max(1, timeoutMs - (Date.now() - started)));

  const send = `((c, e) => s => { c(e.encode(s).buffer); })(issueCommand, new TextEncoder())`;
  // print → the host, one message a call (xsnap's own print writes String(arg)s and a newline to stdout).
  const prelude = `(() => {
    const send = ${send};
    const print = function print(...args) { send(JSON.stringify({ print: args.map(a => String(a)).join(' ') })); };
    Object.defineProperty(globalThis, 'print', { value: print, writable: true, configurable: true, enumerable: false });
  })();`;

  let worker;
  const step = async (label, code) => {
    try {
      await worker.evaluate(code);
    } catch (error) {
      if (timedOut) throw Error(`XS: timed out after ${timeoutMs} ms (${label}); engine killed`);
      const output = `${engineStdout}${engineStderr}`.trim();
      throw Error(`XS: ${label}: ${error.message}${output ? `\n${output}` : ''}`);
    }
  };
  try {
    worker = await xsnap({
      os: os.type(),
      spawn,
      // xsnap wants fs.promises' open/stat/unlink and fs.createReadStream (snapshots only; tmpName
      // only for snapshotUseFs, which we do not use).
      fs: { ...fsPromises, createReadStream: fs.createReadStream },
      name: 'cordon-xs-harness',
      handleCommand,
      meteringLimit,
      stdout: 'pipe',
      stderr: 'pipe',
    });
    await step('prelude', prelude);
    if (lockdownScript !== undefined) {
      await step('evaluating the lockdown bundle', lockdownScript);
      await step('lockdown()', completionScript(lockdownStepSource(lockdownOptions), 'lockdown', send));
      if (messages.find(m => m.index === 'lockdown')?.error !== undefined) return collectOutcome('XS', messages, sources.length, prints);
    }
    for (const [index, source] of sources.entries()) {
      await step(`source #${index + 1}`, completionScript(source, index, send));
      const last = messages.find(m => m.index === index);
      if (last === undefined || last.error !== undefined) break; // collectOutcome names it
    }
    return collectOutcome('XS', messages, sources.length, prints);
  } finally {
    clearTimeout(timer);
    if (!worker) child?.kill('SIGKILL');
    else if (timedOut) await worker.terminate();
    else await worker.close().catch(() => worker.terminate());
  }
}

if (!isMainThread && workerData?.cordonXsHarness) {
  threadMain(workerData).then(
    outcome => {
      if (outcome.error) {
        const { message, ...extra } = outcome.error;
        parentPort.postMessage({ error: { message, extra: { ...extra, engineError: outcome.error.engineError, prints: outcome.error.prints } } });
      } else {
        parentPort.postMessage({ outcome });
      }
    },
    error => parentPort.postMessage({ error: { message: String(error?.message ?? error), extra: {} } }),
  );
}
