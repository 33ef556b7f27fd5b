// The bridge's tls and https against servers with a self-signed certificate made by openssl.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import hostTls from 'node:tls';
import hostHttps from 'node:https';
import { builtin, requestOutcome, within } from './net-helpers.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-tls-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore', timeout: 30000 });
const key = fs.readFileSync(path.join(dir, 'key.pem'));
const cert = fs.readFileSync(path.join(dir, 'cert.pem'));

const listen = server => new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const close = server => new Promise(resolve => server.close(resolve));

const denied = (result, resource) => {
  assert.ok(result.error, `expected a denial, got ${JSON.stringify(result)}`);
  assert.equal(result.error.code, 'ERR_ACCESS_DENIED', result.error.message);
  if (resource !== undefined) assert.equal(result.error.resource, resource);
};

const tlsOutcome = socket => within(new Promise(resolve => {
  let data = '';
  socket.on('data', chunk => (data += chunk));
  socket.on('error', error => resolve({ error }));
  socket.on('end', () => resolve({ data }));
}), 5000, 'tls connection');

test('tls.connect reaches an allowed port and is refused a denied one', async () => {
  const servers = [hostTls.createServer({ key, cert }, socket => socket.end('tls good')), hostTls.createServer({ key, cert }, socket => socket.end('tls bad'))];
  const [good, bad] = await Promise.all(servers.map(listen));
  try {
    const tls = builtin({ allow: { net: [`127.0.0.1:${good}`] } }, 'tls');
    assert.deepEqual(await tlsOutcome(tls.connect(good, '127.0.0.1', { ca: cert })), { data: 'tls good' });
    assert.deepEqual(await tlsOutcome(tls.connect({ port: good, host: 'localhost', ca: cert })), { data: 'tls good' });
    denied(await tlsOutcome(tls.connect(bad, '127.0.0.1', { ca: cert })), `127.0.0.1:${bad}`);
    // The options object wins over the port argument, as in Node.
    denied(await tlsOutcome(tls.connect(good, '127.0.0.1', { ca: cert, port: bad })), `127.0.0.1:${bad}`);
    denied(await tlsOutcome(new tls.TLSSocket().connect(bad, '127.0.0.1')));
    const server = tls.createServer({ key, cert });
    const error = await within(new Promise(resolve => server.once('error', resolve).listen(0, '127.0.0.1')));
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
  } finally {
    await Promise.all(servers.map(close));
  }
});

test('https.request reaches an allowed port and is refused a denied one (also with its own agent)', async () => {
  const servers = [hostHttps.createServer({ key, cert }, (req, res) => res.end('https good')), hostHttps.createServer({ key, cert }, (req, res) => res.end('https bad'))];
  const [good, bad] = await Promise.all(servers.map(listen));
  try {
    const https = builtin({ allow: { net: [`127.0.0.1:${good}`] } }, 'https');
    assert.deepEqual(await requestOutcome(https.request(`https://127.0.0.1:${good}/`, { ca: cert })), { status: 200, body: 'https good' });
    denied(await requestOutcome(https.request(`https://127.0.0.1:${bad}/`, { ca: cert })), `127.0.0.1:${bad}`);
    const agent = new https.Agent({ ca: cert, keepAlive: false });
    assert.deepEqual(await requestOutcome(https.request({ host: '127.0.0.1', port: good, agent })), { status: 200, body: 'https good' });
    denied(await requestOutcome(https.request({ host: '127.0.0.1', port: bad, agent })));
    denied(await requestOutcome(https.request({ host: '127.0.0.1', port: good, agent: hostHttps.globalAgent, ca: cert })), '*');
    assert.equal(https.globalAgent.defaultPort, 443);
  } finally {
    servers.forEach(server => server.closeAllConnections?.());
    await Promise.all(servers.map(close));
  }
});
