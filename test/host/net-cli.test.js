// End to end through `cordon run`: package client of test/fixtures/host-net/ reaches a server of this
// test under --allow-net=client=127.0.0.1:PORT, and nothing else; the app itself gets no network.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { httpServer, within } from './net-helpers.js';

const cli = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const entry = fileURLToPath(new URL('../fixtures/host-net/app/main.js', import.meta.url));

/** `cordon run <flags> host-net/app/main.js -- good bad`, asynchronously (the servers live in this process). */
const runApp = (flags, good, bad) => within(new Promise((resolve, reject) => {
  const child = spawn(process.execPath, [cli, 'run', ...flags, entry, '--', String(good), String(bad)], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', chunk => (stdout += chunk));
  child.stderr.on('data', chunk => (stderr += chunk));
  child.on('error', reject);
  child.on('close', status => {
    if (status !== 0) return reject(new Error(`exit ${status}: ${stderr}`));
    resolve(JSON.parse(stdout.slice(stdout.indexOf('{'))));
  });
}), 60_000, 'cordon run');

const isDenied = (attempt, pkg, resource) => {
  assert.equal(attempt.code, 'ERR_ACCESS_DENIED', JSON.stringify(attempt));
  assert.equal(attempt.package, pkg);
  if (resource !== undefined) assert.equal(attempt.resource, resource);
};

test('cordon run --allow-net=client=127.0.0.1:PORT: client reaches that port only; the app reaches nothing', async () => {
  const hits = { bad: 0 };
  let badPort = 0;
  const good = await httpServer((req, res) => {
    if (req.url === '/redirect') {
      res.writeHead(302, { location: `http://127.0.0.1:${badPort}/stolen` });
      return res.end();
    }
    res.end(`good ${req.url}`);
  });
  const bad = await httpServer((req, res) => (hits.bad++, res.end('bad')));
  badPort = bad.port;
  try {
    const report = await runApp([`--allow-net=client=127.0.0.1:${good.port}`], good.port, bad.port);
    const { client } = report;
    assert.deepEqual(client.http, { ok: 'good /hello' });
    isDenied(client.httpDenied, 'client', `127.0.0.1:${bad.port}`);
    assert.deepEqual(client.httpAlias, { ok: 'good /alias' });
    isDenied(client.httpOtherLoopback, 'client', `127.0.0.2:${good.port}`);
    assert.deepEqual(client.fetch, { ok: 'good /fetched' });
    isDenied(client.fetchRedirect, 'client', `127.0.0.1:${bad.port}`);
    assert.deepEqual(client.net, { ok: 'HTTP/1.1 200 OK' });
    isDenied(client.netDenied, 'client', `127.0.0.1:${bad.port}`);
    isDenied(client.listen, 'client', '127.0.0.1');
    isDenied(client.udpDenied, 'client', `127.0.0.1:${bad.port}`);
    isDenied(report.app, '$root$', `127.0.0.1:${good.port}`);
    assert.equal(hits.bad, 0);
  } finally {
    await good.close();
    await bad.close();
  }
});
