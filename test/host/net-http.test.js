// The bridge's http and http2: destinations from URLs and options, agents (the package's, a custom
// one, the host's), createConnection, a request's own lookup, servers listening.
import test from 'node:test';
import assert from 'node:assert/strict';
import hostHttp from 'node:http';
import hostHttp2 from 'node:http2';
import { builtin, httpServer, requestOutcome, within } from './net-helpers.js';

const denied = (result, resource) => {
  assert.ok(result.error, `expected a denial, got ${JSON.stringify(result)}`);
  assert.equal(result.error.code, 'ERR_ACCESS_DENIED', result.error.message);
  if (resource !== undefined) assert.equal(result.error.resource, resource);
};

const twoServers = async () => {
  const hits = { good: 0, bad: 0 };
  const good = await httpServer((req, res) => (hits.good++, res.end(`good ${req.method} ${req.url}`)));
  const bad = await httpServer((req, res) => (hits.bad++, res.end('bad')));
  return { good, bad, hits, close: () => Promise.all([good.close(), bad.close()]) };
};

test('http.request: an allowed port answers; a denied one fails with the request\'s error event, and nothing reaches it', async () => {
  const s = await twoServers();
  try {
    const http = builtin({ allow: { net: [`127.0.0.1:${s.good.port}`] } }, 'http');
    assert.deepEqual(await requestOutcome(http.request(`http://127.0.0.1:${s.good.port}/a`)), { status: 200, body: 'good GET /a' });
    assert.deepEqual(await requestOutcome(http.request(new URL(`http://localhost:${s.good.port}/b`))), { status: 200, body: 'good GET /b' });
    assert.deepEqual(await requestOutcome(http.request({ host: '127.0.0.1', port: s.good.port, path: '/c', method: 'POST' })), { status: 200, body: 'good POST /c' });
    denied(await requestOutcome(http.request(`http://127.0.0.1:${s.bad.port}/`)), `127.0.0.1:${s.bad.port}`);
    denied(await requestOutcome(http.request({ hostname: '127.0.0.1', host: 'ignored.test', port: s.bad.port })), `127.0.0.1:${s.bad.port}`);
    denied(await requestOutcome(http.request({ host: '127.0.0.1', defaultPort: s.bad.port })), `127.0.0.1:${s.bad.port}`);
    denied(await requestOutcome(http.request({ host: '2130706433', port: s.bad.port })), `127.0.0.1:${s.bad.port}`);
    denied(await requestOutcome(http.request({ socketPath: '/tmp/none.sock' })), '*');
    // http.get, and a URL and options together (the options win).
    const got = await within(new Promise(resolve => http.get(`http://127.0.0.1:${s.good.port}/d`, { port: s.bad.port }).on('error', resolve)));
    assert.equal(got.code, 'ERR_ACCESS_DENIED');
    assert.equal(s.hits.bad, 0);
  } finally {
    await s.close();
  }
});

test('agents: the package\'s own, a custom one (and its lookup), agent: false, the host\'s, createConnection', async () => {
  const s = await twoServers();
  try {
    const http = builtin({ allow: { net: [`127.0.0.1:${s.good.port}`, 'good.test'] } }, 'http');
    const agent = new http.Agent({ keepAlive: false });
    assert.deepEqual(await requestOutcome(http.request({ host: '127.0.0.1', port: s.good.port, agent })), { status: 200, body: 'good GET /' });
    denied(await requestOutcome(http.request({ host: '127.0.0.1', port: s.bad.port, agent })));
    denied(await requestOutcome(http.request({ host: '127.0.0.1', port: s.bad.port, agent: false })));
    assert.deepEqual(await requestOutcome(http.request({ host: '127.0.0.1', port: s.good.port, agent: false })), { status: 200, body: 'good GET /' });
    // An agent's own lookup (its options override the request's) answering a denied address.
    const lying = new http.Agent({ lookup: (hostname, options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]) });
    denied(await requestOutcome(http.request({ host: 'good.test', port: s.bad.port, agent: lying })), `127.0.0.1:${s.bad.port}`);
    assert.deepEqual(await requestOutcome(http.request({ host: 'good.test', port: s.good.port, agent: lying })), { status: 200, body: 'good GET /' });
    // The request's own lookup.
    const lookup = (hostname, options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    denied(await requestOutcome(http.request({ host: 'good.test', port: s.bad.port, lookup })), `127.0.0.1:${s.bad.port}`);
    // A subclass overriding nothing still dials through the package's net.
    class Mine extends http.Agent {}
    denied(await requestOutcome(http.request({ host: '127.0.0.1', port: s.bad.port, agent: new Mine() })));
    // The host's agent dials with the host's net: it needs all of net.
    denied(await requestOutcome(http.request({ host: '127.0.0.1', port: s.good.port, agent: hostHttp.globalAgent })), '*');
    // A host agent as _defaultAgent is not used: the package's own is.
    const hostAgent = new hostHttp.Agent();
    const viaDefault = http.request({ host: '127.0.0.1', port: s.good.port, _defaultAgent: hostAgent });
    assert.deepEqual(await requestOutcome(viaDefault), { status: 200, body: 'good GET /' });
    assert.equal(viaDefault.agent, http.globalAgent);
    // createConnection: checked before it is called.
    let called = 0;
    const createConnection = () => (called++, null);
    denied(await requestOutcome(http.request({ host: '127.0.0.1', port: s.bad.port, createConnection })));
    assert.equal(called, 0);
    assert.ok(http.globalAgent instanceof http.Agent);
    assert.notEqual(http.globalAgent, hostHttp.globalAgent);
    assert.equal(s.hits.bad, 0);
  } finally {
    await s.close();
  }
});

test('http servers need their host:port to listen; their connections are pinned', async () => {
  const none = builtin({}, 'http');
  const server = none.createServer((req, res) => res.end('x'));
  const error = await within(new Promise(resolve => server.once('error', resolve).listen(0, '127.0.0.1')));
  assert.equal(error.code, 'ERR_ACCESS_DENIED');
  assert.equal(server.listening, false);
  const http = builtin({ allow: { net: ['127.0.0.1'] } }, 'http');
  const ok = new http.Server((req, res) => res.end(`${Object.hasOwn(req.socket, 'connect')}`));
  await within(new Promise(resolve => ok.listen(0, '127.0.0.1', resolve)));
  try {
    const answer = await within(new Promise((resolve, reject) => hostHttp.get(`http://127.0.0.1:${ok.address().port}/`, { agent: false }, res => { let b = ''; res.on('data', c => (b += c)).on('end', () => resolve(b)); }).on('error', reject)));
    assert.equal(answer, 'true');
  } finally {
    ok.closeAllConnections();
    await new Promise(resolve => ok.close(resolve));
  }
});

test('http2.connect: the authority and the options that override it are checked; a denial is the session\'s error', async () => {
  const servers = [];
  for (let i = 0; i < 2; i++) {
    const server = hostHttp2.createServer();
    server.on('stream', stream => stream.respond({ ':status': 200 }) || stream.end('h2'));
    await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
  }
  const [good, bad] = servers.map(server => server.address().port);
  const request = session => within(new Promise(resolve => {
    session.on('error', error => resolve({ error }));
    const stream = session.request({ ':path': '/' });
    stream.on('error', () => {});
    let body = '';
    stream.on('data', chunk => (body += chunk));
    stream.on('end', () => resolve({ body }));
    stream.end();
  })).finally(() => session.destroy());
  try {
    const http2 = builtin({ allow: { net: [`127.0.0.1:${good}`] } }, 'http2');
    assert.deepEqual(await request(http2.connect(`http://127.0.0.1:${good}`)), { body: 'h2' });
    denied(await request(http2.connect(`http://127.0.0.1:${bad}`)), `127.0.0.1:${bad}`);
    denied(await request(http2.connect(`http://127.0.0.1:${good}`, { port: bad })), `127.0.0.1:${bad}`);
    denied(await request(http2.connect(`http://127.0.0.1:${good}`, { host: '127.0.0.2' })));
    const listen = http2.createServer();
    const error = await within(new Promise(resolve => listen.once('error', resolve).listen(0, '127.0.0.1')));
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
    assert.equal(Object.getOwnPropertyDescriptor(listen, 'listen').writable, false);
  } finally {
    await Promise.all(servers.map(server => new Promise(resolve => server.close(resolve))));
  }
});
