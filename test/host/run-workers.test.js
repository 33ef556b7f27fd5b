// A package's own worker_threads and cluster (src/host/builtins/workers.ts): a worker or a cluster
// worker runs outside every compartment, so making one needs all of `run`.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { makePermissionEngine, parsePermissionFlags, makeHostBridge } from '../../dist/host.js';

const require = createRequire(import.meta.url);

const builtinOf = (pkg, name, allow) => {
  const set = parsePermissionFlags({ allow }, { cwd: process.cwd(), pathVariable: process.env.PATH });
  const bridge = makeHostBridge({ engine: makePermissionEngine(set), hostBuiltin: id => require(`node:${id}`), env: process.env, cwd: () => process.cwd() });
  return bridge.builtinFor(pkg, name);
};

const deniedAllOfRun = pkg => error => {
  assert.equal(error.code, 'ERR_ACCESS_DENIED', error.stack);
  assert.equal(error.permission, 'ChildProcess');
  assert.equal(error.package, pkg);
  assert.equal(error.resource, '*');
  return true;
};

const WORKER_CODE = "require('node:worker_threads').parentPort.postMessage('from worker')";

test('new Worker (eval code, file, subclass, called without new) needs all of run; a grant of one program is not enough', () => {
  const wt = builtinOf('probe', 'worker_threads', { run: ['probe=echo'] });
  assert.throws(() => new wt.Worker(WORKER_CODE, { eval: true }), deniedAllOfRun('probe'));
  assert.throws(() => new wt.Worker(new URL('data:text/javascript,1')), deniedAllOfRun('probe'));
  assert.throws(() => new wt.Worker(__filenameLike()), deniedAllOfRun('probe'));
  class Sub extends wt.Worker {}
  assert.throws(() => new Sub(WORKER_CODE, { eval: true }), deniedAllOfRun('probe'));
  assert.throws(() => Reflect.construct(wt.Worker, [WORKER_CODE, { eval: true }]), deniedAllOfRun('probe'));
  // The host's own module is untouched.
  assert.notEqual(wt.Worker, require('node:worker_threads').Worker);
});

const __filenameLike = () => new URL(import.meta.url).pathname;

test('the data members of worker_threads stay usable, so a package that only probes loads', async () => {
  const wt = builtinOf('probe', 'worker_threads', {});
  const host = require('node:worker_threads');
  assert.equal(wt.isMainThread, true);
  assert.equal(wt.parentPort, null);
  assert.equal(wt.threadId, host.threadId);
  assert.equal(wt.workerData, host.workerData);
  assert.equal(wt.SHARE_ENV, host.SHARE_ENV);
  const { port1, port2 } = new wt.MessageChannel();
  const got = new Promise(resolve => port2.once('message', resolve));
  port1.postMessage({ hello: 'port' });
  assert.deepEqual(await got, { hello: 'port' });
  port1.close();
  const channel = new wt.BroadcastChannel('cordon-probe');
  channel.close();
  assert.equal(wt.Worker.prototype, host.Worker.prototype);
});

test('with all of run granted to the package, a worker runs', async () => {
  const wt = builtinOf('probe', 'worker_threads', { run: ['probe=*'] });
  const worker = new wt.Worker(WORKER_CODE, { eval: true });
  const message = await new Promise((resolve, reject) => { worker.once('message', resolve); worker.once('error', reject); });
  assert.equal(message, 'from worker');
  await worker.terminate();
  const other = builtinOf('other', 'worker_threads', { run: ['probe=*'] });
  assert.throws(() => new other.Worker(WORKER_CODE, { eval: true }), deniedAllOfRun('other'));
});

test('cluster.fork and setupPrimary need all of run; deleting or replacing them does not reach the host\'s', () => {
  const cluster = builtinOf('probe', 'cluster', { run: ['probe=echo'] });
  const host = require('node:cluster');
  // Were the gate off, the fork would run this script (it exits at once), not this test file again.
  const exitAtOnce = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-cluster-')), 'exit.cjs');
  fs.writeFileSync(exitAtOnce, 'process.exit(0);\n');
  assert.throws(() => cluster.setupPrimary({ exec: exitAtOnce, silent: true }), deniedAllOfRun('probe'));
  assert.throws(() => cluster.setupMaster({ exec: exitAtOnce, silent: true }), deniedAllOfRun('probe'));
  host.setupPrimary({ exec: exitAtOnce, silent: true });
  assert.throws(() => cluster.fork(), deniedAllOfRun('probe'));
  assert.throws(() => Object.getOwnPropertyDescriptor(cluster, 'fork').value(), deniedAllOfRun('probe'));
  assert.equal(cluster.isPrimary, true);
  assert.equal(cluster.workers, host.workers);
  delete cluster.fork;
  assert.equal(cluster.fork, undefined);
  const hostFork = host.fork;
  cluster.setupPrimary = () => 'mine';
  assert.equal(cluster.setupPrimary(), 'mine');
  assert.equal(host.fork, hostFork);
  assert.notEqual(host.setupPrimary({ exec: exitAtOnce, silent: true }), 'mine');
  // Events work on the host's emitter.
  let seen = 0;
  const listener = () => { seen += 1; };
  cluster.on('cordon-probe', listener);
  host.emit('cordon-probe');
  cluster.off('cordon-probe', listener);
  assert.equal(seen, 1);
  fs.rmSync(path.dirname(exitAtOnce), { recursive: true, force: true });
});
