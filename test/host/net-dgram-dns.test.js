// The bridge's dgram (send, connect, bind) and dns (lookup, resolve, reverse, setServers, promises).
import test from 'node:test';
import assert from 'node:assert/strict';
import hostDgram from 'node:dgram';
import hostDns from 'node:dns';
import { builtin, within } from './net-helpers.js';

const udpServer = async () => {
  const received = [];
  const socket = hostDgram.createSocket('udp4');
  socket.on('message', message => received.push(String(message)));
  await new Promise(resolve => socket.bind(0, '127.0.0.1', resolve));
  return { port: socket.address().port, received, close: () => new Promise(resolve => socket.close(resolve)) };
};

const sent = (socket, ...args) => within(new Promise(resolve => socket.send(...args, error => resolve(error ?? null))), 5000, 'send');
const waitFor = async (predicate, what) => {
  for (let i = 0; i < 100 && !predicate(); i++) await new Promise(resolve => setTimeout(resolve, 20));
  assert.ok(predicate(), what);
};

test('dgram send: an allowed destination (by IP or through localhost) gets the datagram; a denied one does not', async () => {
  const good = await udpServer();
  const bad = await udpServer();
  const dgram = builtin({ allow: { net: [`127.0.0.1:${good.port}`] } }, 'dgram');
  const socket = dgram.createSocket('udp4');
  try {
    assert.equal(await sent(socket, 'one', good.port, '127.0.0.1'), null);
    assert.equal(await sent(socket, Buffer.from('xtwox'), 1, 3, good.port, 'localhost'), null);
    assert.equal(await sent(socket, 'three', good.port, '2130706433'), null);
    const refused = await sent(socket, 'bad', bad.port, '127.0.0.1');
    assert.equal(refused?.code, 'ERR_ACCESS_DENIED');
    assert.equal(refused.resource, `127.0.0.1:${bad.port}`);
    // Without a callback the denial is the socket's error event.
    const error = new Promise(resolve => socket.once('error', resolve));
    socket.send('bad', bad.port, '127.0.0.1');
    assert.equal((await within(error)).code, 'ERR_ACCESS_DENIED');
    await waitFor(() => good.received.length === 3, 'three datagrams');
    assert.deepEqual(good.received.sort(), ['one', 'three', 'two']);
    assert.deepEqual(bad.received, []);
  } finally {
    socket.close();
    await good.close();
    await bad.close();
  }
});

test('dgram connect is checked; a package\'s own lookup answering a denied address is refused', async () => {
  const good = await udpServer();
  const bad = await udpServer();
  const dgram = builtin({ allow: { net: [`127.0.0.1:${good.port}`, 'good.test'] } }, 'dgram');
  try {
    const denied = dgram.createSocket('udp4');
    const error = await within(new Promise(resolve => denied.connect(bad.port, '127.0.0.1', resolve)));
    assert.equal(error?.code, 'ERR_ACCESS_DENIED');
    denied.close();
    const connected = dgram.createSocket('udp4');
    await within(new Promise((resolve, reject) => connected.connect(good.port, '127.0.0.1', error => (error ? reject(error) : resolve()))));
    assert.equal(await sent(connected, 'connected'), null);
    connected.close();
    const lookup = (hostname, family, callback) => callback(null, '127.0.0.1', 4);
    const own = dgram.createSocket({ type: 'udp4', lookup });
    assert.equal((await sent(own, 'via lookup', bad.port, 'good.test'))?.code, 'ERR_ACCESS_DENIED');
    assert.equal(await sent(own, 'via lookup', good.port, 'good.test'), null);
    own.close();
    await waitFor(() => good.received.length === 2, 'two datagrams');
    assert.deepEqual(bad.received, []);
  } finally {
    await good.close();
    await bad.close();
  }
});

test('dgram bind needs its host:port (port 0: the host without a port)', async () => {
  const none = builtin({}, 'dgram');
  const socket = none.createSocket('udp4');
  const error = await within(new Promise(resolve => socket.once('error', resolve).bind(0, '127.0.0.1')));
  assert.equal(error.code, 'ERR_ACCESS_DENIED');
  assert.equal(error.resource, '127.0.0.1');
  socket.close();
  const everywhere = none.createSocket('udp4');
  const error2 = await within(new Promise(resolve => everywhere.once('error', resolve).bind()));
  assert.equal(error2.resource, '0.0.0.0');
  everywhere.close();
  const dgram = builtin({ allow: { net: ['127.0.0.1'] } }, 'dgram');
  const bound = dgram.createSocket('udp4');
  await within(new Promise(resolve => bound.bind({ port: 0, address: '127.0.0.1' }, resolve)));
  assert.ok(bound.address().port > 0);
  bound.close();
});

const callbackResult = (fn, ...args) => within(new Promise(resolve => fn(...args, (error, ...results) => resolve({ error, results }))), 10000, 'dns');

test('dns: a query needs its name; lookup of an IP literal needs nothing; reverse needs the IP', async () => {
  const none = builtin({}, 'dns');
  const denial = await callbackResult(none.lookup, 'localhost');
  assert.equal(denial.error?.code, 'ERR_ACCESS_DENIED');
  assert.equal(denial.error.resource, 'localhost');
  assert.deepEqual((await callbackResult(none.lookup, '127.0.0.1')).results, ['127.0.0.1', 4]);
  assert.equal((await callbackResult(none.resolve4, 'example.invalid')).error?.code, 'ERR_ACCESS_DENIED');
  assert.equal((await callbackResult(none.resolve, 'example.invalid', 'MX')).error?.code, 'ERR_ACCESS_DENIED');
  assert.equal((await callbackResult(none.reverse, '127.0.0.1')).error?.code, 'ERR_ACCESS_DENIED');
  assert.equal((await callbackResult(none.lookupService, '127.0.0.1', 22)).error?.code, 'ERR_ACCESS_DENIED');
  const resolver = new none.Resolver();
  assert.equal((await callbackResult(resolver.resolve4.bind(resolver), 'example.invalid')).error?.code, 'ERR_ACCESS_DENIED');
  await assert.rejects(none.promises.lookup('localhost'), { code: 'ERR_ACCESS_DENIED' });
  await assert.rejects(new none.promises.Resolver().resolveTxt('example.invalid'), { code: 'ERR_ACCESS_DENIED' });
  const promises = builtin({}, 'dns/promises');
  await assert.rejects(promises.resolve6('example.invalid'), { code: 'ERR_ACCESS_DENIED' });
  // A rule for the name on one port lets it be asked about.
  for (const rule of ['localhost', 'localhost:8080']) {
    const dns = builtin({ allow: { net: [rule] } }, 'dns');
    assert.equal((await callbackResult(dns.lookup, 'localhost')).results[0], '127.0.0.1', rule);
  }
  const refused = builtin({ allow: { net: ['localhost:8080'] }, deny: { net: ['localhost'] } }, 'dns');
  assert.equal((await callbackResult(refused.lookup, 'localhost')).error?.code, 'ERR_ACCESS_DENIED');
});

test('dns.setServers needs each server as a destination, and changes only the package\'s own resolver', () => {
  const before = hostDns.getServers();
  const none = builtin({}, 'dns');
  assert.throws(() => none.setServers(['127.0.0.1']), { code: 'ERR_ACCESS_DENIED', resource: '127.0.0.1:53' });
  assert.throws(() => new none.Resolver().setServers(['127.0.0.1:5353']), { code: 'ERR_ACCESS_DENIED', resource: '127.0.0.1:5353' });
  const dns = builtin({ allow: { net: ['127.0.0.1:5353'] } }, 'dns');
  dns.setServers(['127.0.0.1:5353']);
  assert.deepEqual(dns.getServers(), ['127.0.0.1:5353']);
  assert.deepEqual(hostDns.getServers(), before);
});
