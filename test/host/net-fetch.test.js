// The bridge's fetch: destinations, redirects followed by the bridge (each hop checked), the package's
// redirect modes, the Fetch standard's method and body rules, Request input, data: URLs, DNS answers.
import test from 'node:test';
import assert from 'node:assert/strict';
import { globalFor, httpServer } from './net-helpers.js';

const readBody = req => new Promise(resolve => {
  let body = '';
  req.on('data', chunk => (body += chunk));
  req.on('end', () => resolve(body));
});

const servers = async () => {
  const hits = { good: [], bad: 0 };
  let badPort = 0;
  const good = await httpServer(async (req, res) => {
    const body = await readBody(req);
    hits.good.push(`${req.method} ${req.url} ${body} ${req.headers.authorization ?? ''}`.trim());
    const [, code, where] = /^\/redirect\/(\d+)\/(\w+)/.exec(req.url) ?? [];
    if (code) {
      const target = where === 'bad' ? `http://127.0.0.1:${badPort}/stolen` : where === 'loop' ? req.url : '/final';
      res.writeHead(Number(code), { location: target });
      return res.end();
    }
    res.end(`good ${req.method} ${req.url} ${body}`.trim());
  });
  const bad = await httpServer((req, res) => (hits.bad++, res.end('bad')));
  badPort = bad.port;
  return { good, bad, hits, close: () => Promise.all([good.close(), bad.close()]) };
};

test('fetch: an allowed destination answers, a denied one rejects with ERR_ACCESS_DENIED', async () => {
  const s = await servers();
  try {
    const fetch = globalFor({ allow: { net: [`127.0.0.1:${s.good.port}`] } }, 'fetch');
    assert.equal(await (await fetch(`http://127.0.0.1:${s.good.port}/a`)).text(), 'good GET /a');
    assert.equal(await (await fetch(new URL(`http://localhost:${s.good.port}/b`))).text(), 'good GET /b');
    assert.equal(await (await fetch(new Request(`http://127.0.0.1:${s.good.port}/c`, { method: 'PUT', body: 'x' }))).text(), 'good PUT /c x');
    await assert.rejects(fetch(`http://127.0.0.1:${s.bad.port}/`), { code: 'ERR_ACCESS_DENIED', resource: `127.0.0.1:${s.bad.port}` });
    await assert.rejects(fetch(`http://2130706433:${s.bad.port}/`), { code: 'ERR_ACCESS_DENIED', resource: `127.0.0.1:${s.bad.port}` });
    await assert.rejects(fetch(new Request(`http://127.0.0.1:${s.bad.port}/`)), { code: 'ERR_ACCESS_DENIED' });
    assert.equal(await (await fetch('data:text/plain,hi')).text(), 'hi');
    assert.equal(s.hits.bad, 0);
  } finally {
    await s.close();
  }
});

test('fetch: a redirect from an allowed host to a denied one is refused before it is followed', async () => {
  const s = await servers();
  try {
    const fetch = globalFor({ allow: { net: [`127.0.0.1:${s.good.port}`] } }, 'fetch');
    for (const code of [301, 302, 303, 307, 308]) {
      await assert.rejects(fetch(`http://127.0.0.1:${s.good.port}/redirect/${code}/bad`), { code: 'ERR_ACCESS_DENIED', resource: `127.0.0.1:${s.bad.port}` }, String(code));
    }
    assert.equal(s.hits.bad, 0);
    // The package's own modes: manual gets the redirect itself, error fails.
    const manual = await fetch(`http://127.0.0.1:${s.good.port}/redirect/302/bad`, { redirect: 'manual' });
    assert.equal(manual.status, 302);
    assert.equal(manual.headers.get('location'), `http://127.0.0.1:${s.bad.port}/stolen`);
    await assert.rejects(fetch(`http://127.0.0.1:${s.good.port}/redirect/302/final`, { redirect: 'error' }), TypeError);
    assert.equal(s.hits.bad, 0);
  } finally {
    await s.close();
  }
});

test('fetch: redirects within the allowed host follow the Fetch standard', async () => {
  const s = await servers();
  try {
    const fetch = globalFor({ allow: { net: [`127.0.0.1:${s.good.port}`] } }, 'fetch');
    const base = `http://127.0.0.1:${s.good.port}`;
    const followed = await fetch(`${base}/redirect/301/final`);
    assert.equal(followed.redirected, true);
    assert.equal(followed.url, `${base}/final`);
    assert.equal(await followed.text(), 'good GET /final');
    assert.equal(await (await fetch(`${base}/redirect/302/final`, { method: 'POST', body: 'data' })).text(), 'good GET /final');
    assert.equal(await (await fetch(`${base}/redirect/303/final`, { method: 'PUT', body: 'data' })).text(), 'good GET /final');
    assert.equal(await (await fetch(`${base}/redirect/307/final`, { method: 'POST', body: 'kept' })).text(), 'good POST /final kept');
    assert.equal(await (await fetch(new Request(`${base}/redirect/308/final`, { method: 'PUT', body: 'kept' }))).text(), 'good PUT /final kept');
    await assert.rejects(fetch(`${base}/redirect/302/loop`), TypeError);
    assert.ok(s.hits.good.filter(hit => hit.includes('/redirect/302/loop')).length <= 21);
  } finally {
    await s.close();
  }
});

test('fetch: a name\'s DNS answers are checked when dialled', async () => {
  const s = await servers();
  try {
    const refused = globalFor({ allow: { net: ['localhost'] }, deny: { net: ['127.0.0.1'] } }, 'fetch');
    await assert.rejects(refused(`http://localhost:${s.good.port}/`), { code: 'ERR_ACCESS_DENIED', resource: `127.0.0.1:${s.good.port}` });
    const byIp = globalFor({ allow: { net: [`127.0.0.1:${s.good.port}`] } }, 'fetch');
    assert.equal(await (await byIp(`http://localhost:${s.good.port}/n`)).text(), 'good GET /n');
    const none = globalFor({}, 'fetch');
    await assert.rejects(none(`http://example.invalid/`), { code: 'ERR_ACCESS_DENIED', resource: 'example.invalid:80' });
    assert.equal(s.hits.good.length, 1);
  } finally {
    await s.close();
  }
});
