// The bridge's net: destinations in every spelling, names and their DNS answers, a package's own
// lookup, unix sockets, listening, and the classes and instances a package is handed.
import test from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import path from 'node:path';
import hostNet from 'node:net';
import { builtin, tcpServer, outcome, within } from './net-helpers.js';

const denied = (result, resource) => {
  assert.ok(result.error, `expected a denial, got ${JSON.stringify(result)}`);
  assert.equal(result.error.code, 'ERR_ACCESS_DENIED', result.error.message);
  if (resource !== undefined) assert.equal(result.error.resource, resource);
};

test('IP aliases of an allowed address reach it; other addresses and ports do not', async () => {
  const server = await tcpServer();
  try {
    const net = builtin({ allow: { net: [`127.0.0.1:${server.port}`] } }, 'net');
    for (const host of ['127.0.0.1', '2130706433', '0x7f000001', '127.1', '0177.0.0.1', '::ffff:127.0.0.1', '[::ffff:127.0.0.1]', 'localhost']) {
      assert.deepEqual(await outcome(net.connect(server.port, host)), { data: 'hello' }, host);
    }
    denied(await outcome(net.connect(server.port, '127.0.0.2')), `127.0.0.2:${server.port}`);
    denied(await outcome(net.connect(server.port, '::1')), `[::1]:${server.port}`);
    denied(await outcome(net.connect(server.port + 1 > 65535 ? 1 : server.port + 1, '127.0.0.1')));
    denied(await outcome(net.connect({ port: server.port, host: 'example.invalid' })), `example.invalid:${server.port}`);
  } finally {
    await server.close();
  }
});

test('a denied address stays denied in every spelling, and through localhost', async () => {
  const server = await tcpServer();
  try {
    const net = builtin({ allow: { net: [true] }, deny: { net: ['127.0.0.1'] } }, 'net');
    for (const host of ['127.0.0.1', '2130706433', '0x7f000001', '127.1', '::ffff:127.0.0.1', '[::ffff:7f00:1]', 'localhost', 'LOCALHOST.']) {
      denied(await outcome(net.connect(server.port, host)), `127.0.0.1:${server.port}`);
    }
  } finally {
    await server.close();
  }
});

test('a name needs a rule for the name (its IP is not enough, except localhost); a name rule does not cover its IP', async () => {
  const server = await tcpServer();
  try {
    const byName = builtin({ allow: { net: [`localhost:${server.port}`] } }, 'net');
    assert.deepEqual(await outcome(byName.connect(server.port, 'localhost')), { data: 'hello' });
    denied(await outcome(byName.connect(server.port, '127.0.0.1')), `127.0.0.1:${server.port}`);
    const byIp = builtin({ allow: { net: ['127.0.0.1'] } }, 'net');
    const lookup = (hostname, options, callback) => callback(null, [{ address: '127.0.0.1', family: 4 }]);
    denied(await outcome(byIp.connect({ port: server.port, host: 'good.test', lookup })), `good.test:${server.port}`);
  } finally {
    await server.close();
  }
});

test('every DNS answer is checked: a name allowed by name whose answer is denied is refused', async () => {
  const server = await tcpServer();
  try {
    const net = builtin({ allow: { net: ['localhost'] }, deny: { net: ['127.0.0.1'] } }, 'net');
    denied(await outcome(net.connect(server.port, 'localhost')), `127.0.0.1:${server.port}`);
    const open = builtin({ allow: { net: ['localhost'] } }, 'net');
    assert.deepEqual(await outcome(open.connect(server.port, 'localhost')), { data: 'hello' });
  } finally {
    await server.close();
  }
});

test("a package's own lookup: its answers must be allowed by IP, in both callback shapes", async () => {
  const server = await tcpServer();
  try {
    const lookups = {
      // autoSelectFamily (the default) asks for every address.
      all: (hostname, options, callback) => callback(null, options.all ? [{ address: '127.0.0.1', family: 4 }] : '127.0.0.1', 4),
      single: (hostname, options, callback) => callback(null, '127.0.0.1', 4),
      mixed: (hostname, options, callback) => callback(null, options.all ? [{ address: '127.0.0.2', family: 4 }, { address: '127.0.0.1', family: 4 }] : '127.0.0.1', 4),
    };
    const nameOnly = builtin({ allow: { net: ['good.test'] } }, 'net');
    const both = builtin({ allow: { net: ['good.test', `127.0.0.1:${server.port}`] } }, 'net');
    for (const [shape, lookup] of Object.entries(lookups)) {
      for (const autoSelectFamily of [true, false]) {
        denied(await outcome(nameOnly.connect({ port: server.port, host: 'good.test', lookup, autoSelectFamily })));
        assert.deepEqual(await outcome(both.connect({ port: server.port, host: 'good.test', lookup, autoSelectFamily })), { data: 'hello' }, `${shape} ${autoSelectFamily}`);
      }
    }
    // An IP literal in another spelling is dialled as the address checked: no lookup can turn it into another.
    const ipOnly = builtin({ allow: { net: [`127.0.0.1:${server.port}`] } }, 'net');
    let asked = 0;
    const liar = (hostname, options, callback) => (asked++, callback(null, [{ address: '127.0.0.2', family: 4 }]));
    assert.deepEqual(await outcome(ipOnly.connect({ port: server.port, host: '2130706433', lookup: liar })), { data: 'hello' });
    assert.equal(asked, 0);
  } finally {
    await server.close();
  }
});

test('unix sockets need all of net', async () => {
  const dir = await import('node:fs').then(fs => fs.mkdtempSync(path.join(os.tmpdir(), 'cordon-net-')));
  const file = path.join(dir, 's.sock');
  const server = hostNet.createServer(socket => socket.end('unix'));
  await new Promise(resolve => server.listen(file, resolve));
  try {
    const some = builtin({ allow: { net: ['127.0.0.1', 'localhost'] } }, 'net');
    denied(await outcome(some.connect(file)), '*');
    denied(await outcome(some.connect({ path: file })), '*');
    const guestServer = some.createServer();
    const error = await within(new Promise(resolve => guestServer.once('error', resolve).listen(path.join(dir, 't.sock'))));
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
    const all = builtin({ allow: { net: [true] } }, 'net');
    assert.deepEqual(await outcome(all.connect(file)), { data: 'unix' });
    assert.throws(() => new some.Socket({ fd: 0 }), { code: 'ERR_ACCESS_DENIED' });
  } finally {
    await new Promise(resolve => server.close(resolve));
  }
});

const listenOutcome = (server, ...args) =>
  within(new Promise(resolve => {
    server.once('error', error => resolve({ error }));
    server.listen(...args, () => resolve({ port: server.address().port }));
  }), 5000, 'listen').finally(() => server.close());

test('listening needs its host:port; port 0 needs a rule for the host without a port', async () => {
  const none = builtin({}, 'net');
  denied(await listenOutcome(none.createServer(), 0, '127.0.0.1'), '127.0.0.1');
  const host = builtin({ allow: { net: ['127.0.0.1'] } }, 'net');
  assert.ok((await listenOutcome(host.createServer(), 0, '127.0.0.1')).port > 0);
  assert.ok((await listenOutcome(host.createServer(), { port: 0, host: '2130706433' })).port > 0);
  denied(await listenOutcome(host.createServer(), 0), '0.0.0.0');
  const free = await tcpServer();
  const port = free.port;
  await free.close();
  const onePort = builtin({ allow: { net: [`127.0.0.1:${port}`] } }, 'net');
  denied(await listenOutcome(onePort.createServer(), 0, '127.0.0.1'), '127.0.0.1');
  assert.equal((await listenOutcome(onePort.createServer(), port, '127.0.0.1')).port, port);
  denied(await listenOutcome(onePort.createServer(), String(port)), `0.0.0.0:${port}`);
  // Every interface: 0.0.0.0 and :: are one resource.
  for (const rule of ['0.0.0.0', '[::]']) {
    const every = builtin({ allow: { net: [rule] } }, 'net');
    assert.ok((await listenOutcome(every.createServer(), 0)).port > 0, rule);
    assert.ok((await listenOutcome(every.createServer(), 0, '::')).port > 0, rule);
  }
  const refused = builtin({ allow: { net: ['0.0.0.0'] }, deny: { net: ['[::]'] } }, 'net');
  denied(await listenOutcome(refused.createServer(), 0));
});

test('a denied connect is delivered as the socket\'s error event, after the call returns', async () => {
  const net = builtin({}, 'net');
  const socket = net.connect(1, '127.0.0.1');
  assert.ok(socket instanceof net.Socket);
  let closed = false;
  socket.on('close', () => (closed = true));
  const error = await within(new Promise(resolve => socket.on('error', resolve)));
  assert.equal(error.code, 'ERR_ACCESS_DENIED');
  assert.equal(error.package, 'client');
  await within(new Promise(resolve => (closed ? resolve() : socket.on('close', resolve))));
  assert.throws(() => net.connect(70000, '127.0.0.1'), { code: 'ERR_SOCKET_BAD_PORT' });
});

test('classes and instances: Socket#connect, a constructor reached from an instance, a server\'s connections', async () => {
  const server = await tcpServer();
  try {
    const net = builtin({ allow: { net: [`127.0.0.1:${server.port}`] } }, 'net');
    denied(await outcome(new net.Socket().connect(server.port, '127.0.0.2')));
    const allowed = net.connect(server.port, '127.0.0.1');
    const allowedOutcome = outcome(allowed);
    denied(await outcome(new allowed.constructor().connect(server.port, '127.0.0.2')));
    assert.deepEqual(await allowedOutcome, { data: 'hello' });
    assert.equal(net._createServerHandle, undefined);
    assert.ok(new hostNet.Socket() instanceof net.Socket);

    // A socket a package's server is handed: its own connect and constructor are checked ones.
    const listener = builtin({ allow: { net: ['127.0.0.1'] }, deny: { net: ['127.0.0.2'] } }, 'net', 'listener');
    const guestServer = listener.createServer();
    const handed = new Promise(resolve => guestServer.on('connection', resolve));
    await new Promise(resolve => guestServer.listen(0, '127.0.0.1', resolve));
    const client = hostNet.connect(guestServer.address().port, '127.0.0.1');
    client.on('error', () => {});
    const socket = await within(handed);
    assert.equal(Object.getOwnPropertyDescriptor(socket, 'connect').writable, false);
    assert.equal(socket.constructor, listener.Socket);
    socket.destroy();
    client.destroy();
    await new Promise(resolve => guestServer.close(resolve));
    denied(await outcome(socket.connect(server.port, '127.0.0.2')), `127.0.0.2:${server.port}`);
  } finally {
    await server.close();
  }
});

test('one prototype up from what a package makes is still its own checked class', async () => {
  const server = await tcpServer();
  try {
    const net = builtin({ allow: { net: [`127.0.0.1:${server.port}`] } }, 'net');
    const socket = new net.Socket();
    assert.equal(Object.getPrototypeOf(socket), net.Socket.prototype);
    denied(await outcome(Object.getPrototypeOf(socket).connect.call(socket, server.port, '127.0.0.2')), `127.0.0.2:${server.port}`);
    const guestServer = net.createServer();
    const error = await within(new Promise(resolve => guestServer.once('error', resolve) && Object.getPrototypeOf(guestServer).listen.call(guestServer, 0, '127.0.0.1')));
    assert.equal(error.code, 'ERR_ACCESS_DENIED');
    const http = builtin({}, 'http');
    const httpServer = http.createServer();
    const httpError = await within(new Promise(resolve => httpServer.once('error', resolve) && Object.getPrototypeOf(httpServer).listen.call(httpServer, 0, '127.0.0.1')));
    assert.equal(httpError.code, 'ERR_ACCESS_DENIED');
  } finally {
    await server.close();
  }
});
