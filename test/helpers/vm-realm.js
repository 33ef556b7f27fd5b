// Run JavaScript in a fresh node:vm realm after a SES lockdown bundle: the V8 twin of runInXs
// (test/helpers/xs.js), with the same inputs, the same completion wrapper and the same answer.
//
//   const { results, prints } = await runInVmRealm(['1 + 1', 'Promise.resolve(3)']);  // [2, 3]
//
// The realm is `vm.createContext({}, { microtaskMode: 'afterEvaluate' })`: only the ECMAScript
// intrinsics (plus V8's: WebAssembly, Intl, SharedArrayBuffer…), no host objects. It gets `print`
// and a recording `console` made inside the realm (harden(console), which the published bundle
// does, must not reach the host's Object.prototype through them). Everything runs inside
// vm.runInContext with a `timeout` (the time left of timeoutMs): with microtaskMode
// 'afterEvaluate' the realm's promise jobs run at the end of each runInContext, inside that
// timeout, so a completion promise settles there or never (the realm has no timers or I/O).
//
// It runs in a worker thread of its own (this file): a vm timeout that fires inside the context's
// microtask checkpoint (`Promise.resolve().then(() => { for (;;) {} })`) while an async context is
// active corrupts Node's async-hook stack and aborts the process (nodejs/node#43135, #38503; Node
// 20 and 24, e.g. under node:test). The thread runs the realm synchronously at its top level, where
// no async context is active, and the calling thread is untouched; a thread that does not answer is
// terminated.
import vm from 'node:vm';
import { Worker, isMainThread, workerData, parentPort } from 'node:worker_threads';
import { lockdownScriptOf, completionScript, lockdownStepSource, collectOutcome, threadAnswer } from './xs.js';

// In-realm channel to the host: a top-level lexical binding (script scope, shared by the
// context's later scripts, not a property of globalThis). The host function is held only in a
// closure, never reachable by property walks.
const SEND = '__cordonHarnessSend';
const preludeScript = `(record, sendToHost) => {
  'use strict';
  const print = function print(...args) { record(args.map(a => String(a)).join(' ')); };
  const log = (...args) => print(...args);
  const console = {};
  for (const name of ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir']) console[name] = log;
  for (const name of ['group', 'groupCollapsed', 'groupEnd', 'time', 'timeEnd', 'timeLog', 'count', 'countReset', 'assert', 'table', 'clear']) console[name] = () => {};
  Object.defineProperty(globalThis, 'print', { value: print, writable: true, configurable: true, enumerable: false });
  Object.defineProperty(globalThis, 'console', { value: console, writable: true, configurable: true, enumerable: false });
  return s => sendToHost(String(s));
}`;

/**
 * @param {string[]} sources  scripts, evaluated in order after lockdown
 * @param {{ lockdownBundle?: 'published' | false | string | {moduleFormat: string, source: string},
 *   lockdown?: 'published' | false | string | {moduleFormat: string, source: string},
 *   lockdownOptions?: object, timeoutMs?: number }} [options]  (`lockdown` is runInXs's name for lockdownBundle)
 * @returns {Promise<{results: unknown[], prints: string[], lockdown: 'by-bundle' | 'by-harness' | undefined}>}
 */
export async function runInVmRealm(sources, { lockdownBundle, lockdown, lockdownOptions, timeoutMs = 20000 } = {}) {
  const job = { cordonVmRealm: true, sources: [...sources].map(String), lockdown: lockdownBundle ?? lockdown ?? 'published', lockdownOptions, timeoutMs };
  lockdownScriptOf(job.lockdown); // an unusable bundle is refused here, before a thread starts
  const thread = new Worker(new URL(import.meta.url), { workerData: job });
  try {
    return await threadAnswer(thread, { label: 'vm realm', timeoutMs });
  } finally {
    await thread.terminate();
  }
}

/** The realm run itself, synchronous (see above for why it runs in a thread of its own). */
function runRealm({ sources, lockdown, lockdownOptions, timeoutMs }) {
  const lockdownScript = lockdownScriptOf(lockdown);
  const deadline = Date.now() + timeoutMs;
  const prints = [];
  const messages = [];
  const context = vm.createContext({}, { name: 'cordon-vm-realm', microtaskMode: 'afterEvaluate' });

  const run = (label, code) => {
    const timeout = Math.max(1, deadline - Date.now());
    try {
      return vm.runInContext(code, context, { timeout, filename: `cordon-vm-realm:${label}` });
    } catch (error) {
      if (error?.code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') {
        throw Error(`vm realm: timed out after ${timeoutMs} ms (${label})`);
      }
      // An error from the realm is the realm's Error: read it, do not rethrow it as is.
      const message = error !== null && typeof error === 'object' ? `${error.name}: ${error.message}` : String(error);
      throw Error(`vm realm: ${label}: ${message}`);
    }
  };

  const makeSend = run('prelude', `(${preludeScript})`);
  const send = makeSend(
    text => prints.push(text),
    json => messages.push(JSON.parse(json)),
  );
  // Bind the realm's send function to the script-scope name, without calling into the realm outside runInContext.
  context[`${SEND}_init`] = send;
  run('prelude', `const ${SEND} = globalThis.${SEND}_init; delete globalThis.${SEND}_init;`);

  if (lockdownScript !== undefined) {
    run('evaluating the lockdown bundle', lockdownScript);
    run('lockdown()', completionScript(lockdownStepSource(lockdownOptions), 'lockdown', SEND));
    if (messages.find(m => m.index === 'lockdown')?.error !== undefined) {
      return collectOutcome('vm realm', messages, sources.length, prints);
    }
  }
  for (const [index, source] of [...sources].entries()) {
    run(`source #${index + 1}`, completionScript(String(source), index, SEND));
    const message = messages.find(m => m.index === index);
    if (message === undefined || message.error !== undefined) break;
  }
  return collectOutcome('vm realm', messages, sources.length, prints);
}

if (!isMainThread && workerData?.cordonVmRealm) {
  let answer;
  try {
    const outcome = runRealm(workerData);
    if (outcome.error) {
      const { message, engineError, prints } = outcome.error;
      answer = { error: { message, extra: { engineError, prints } } };
    } else {
      answer = { outcome };
    }
  } catch (error) {
    answer = { error: { message: String(error?.message ?? error), extra: {} } };
  }
  parentPort.postMessage(answer);
}
