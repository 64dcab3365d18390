// Limits under attack (issue 6, item 6): slow clients (slowloris), many connections,
// huge headers, endless bodies. Each scenario gets its own server, and the scenarios
// run at the same time, so that the 30-second idle timeout is waited for once
// (the file takes about 40 s). Every scenario checks two things: the attacker is shed
// in the stated way, and a normal request from another address (127.0.0.2) made during
// the attack is answered within VICTIM_MS.
//
// Scenarios the server does not meet yet are marked `todo` with the finding (see
// BENCHMARKS.md, "Limits"): they run and report, but do not fail the suite. When the
// server is fixed, node:test reports them as passing todos: remove the mark then.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from '../api/server.mjs';

const IDLE_TIMEOUT_S = 30;  // README: idle connections close after 30 s
const VICTIM_MS = 2000;     // a normal request during an attack is answered within this
const VICTIM_ADDR = '127.0.0.2';
const SLOW_HEADER_ATTACKERS = 200;
const MANY = 1100;          // more than the 1,024 connections the server takes

/** A socket with a record of what happened to it. */
function connect(port, { localAddress } = {}) {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    const t0 = Date.now();
    s.info = { data: '', closedAfterMs: null, error: null, written: 0 };
    s.on('data', (d) => { s.info.data += d.toString('latin1'); });
    s.on('error', (e) => { s.info.error = e.code; });
    s.on('close', () => { s.info.closedAfterMs = Date.now() - t0; });
    s.gone = new Promise((r) => s.on('close', r));
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Writes to s every `everyMs` until it closes; returns a stop function. */
function trickle(s, piece, everyMs) {
  const iv = setInterval(() => {
    if (s.destroyed) { clearInterval(iv); return; }
    s.write(piece);
    s.info.written += piece.length;
  }, everyMs);
  return () => clearInterval(iv);
}

/** A normal request on a new connection from VICTIM_ADDR: { status, ms } or { error, ms }. */
async function victim(port, path = '/healthz') {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress: VICTIM_ADDR });
    let data = '';
    const done = (r) => { clearTimeout(timer); s.destroy(); resolve({ ...r, ms: Date.now() - t0 }); };
    const timer = setTimeout(() => done({ error: 'timeout' }), VICTIM_MS + 3000);
    s.on('connect', () => s.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    s.on('data', (d) => {
      data += d;
      const m = /^HTTP\/1\.1 (\d{3})/.exec(data);
      if (m && data.includes('\r\n\r\n')) done({ status: Number(m[1]) });
    });
    s.on('error', (e) => done({ error: e.code }));
    s.on('close', () => done({ error: 'closed without an answer' }));
  });
}

async function assertServed(port, what) {
  const v = await victim(port);
  assert.equal(v.status, 200, `${what}: a normal request got ${JSON.stringify(v)}`);
  assert.ok(v.ms <= VICTIM_MS, `${what}: a normal request took ${v.ms} ms`);
  return v;
}

/** One raw request; resolves when the connection closes (or after waitMs). */
async function rawExchange(port, head, { waitMs = 5000 } = {}) {
  const s = await connect(port);
  s.write(head);
  await Promise.race([s.gone, new Promise((r) => setTimeout(r, waitMs))]);
  const closed = s.info.closedAfterMs !== null;
  s.destroy();
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(s.info.data);
  return { status: m ? Number(m[1]) : null, closed, data: s.info.data };
}

const servers = [];
async function server() {
  const srv = await startServer();
  servers.push(srv);
  return srv;
}
after(async () => { await Promise.all(servers.map((s) => s.stop())); });

describe('limits under attack', { concurrency: true, timeout: 120000 }, () => {
  before(async () => {
    // 127.0.0.2 must be usable as a source address (Linux: all of 127/8 is loopback).
    const s = net.createServer().listen(0, '127.0.0.1');
    await new Promise((r) => s.on('listening', r));
    const c = net.connect({ port: s.address().port, host: '127.0.0.1', localAddress: VICTIM_ADDR });
    await new Promise((resolve, reject) => { c.on('connect', resolve); c.on('error', reject); });
    c.destroy();
    s.close();
  });

  it('huge headers: 431 for one 20 KiB header, for 64 KiB of headers and for 2,000 small headers; closed', async () => {
    const { port } = await server();
    const one = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`);
    assert.equal(one.status, 431, one.data.slice(0, 200));
    assert.match(one.data, /"error":\s*"header_too_large"/);
    const many = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${
      Array.from({ length: 16 }, (_, i) => `X-H${i}: ${'b'.repeat(4000)}`).join('\r\n')}\r\n\r\n`);
    assert.equal(many.status, 431, many.data.slice(0, 200));
    const small = await rawExchange(port, `GET /healthz HTTP/1.1\r\nHost: x\r\n${
      Array.from({ length: 2000 }, (_, i) => `X-${i}: y`).join('\r\n')}\r\n\r\n`);
    assert.equal(small.status, 431, small.data.slice(0, 200));
    for (const r of [one, many, small]) assert.ok(r.closed, 'connection left open after 431');
    await assertServed(port, 'after huge headers');
  });

  it('huge request line: a 20 KiB query string is 431 like a 20 KiB header', {
    todo: 'finding: the 16 KiB check counts the path but not the query string (200 up to ~40 KiB)',
  }, async () => {
    const { port } = await server();
    const r = await rawExchange(port, `GET /api/v1/algorithms?q=${'a'.repeat(20 * 1024)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.equal(r.status, 431, r.data.slice(0, 200));
  });

  it(`idle connections (nothing sent, or half a request) close after the ${IDLE_TIMEOUT_S} s idle timeout`, async () => {
    const { port } = await server();
    const idle = await connect(port);
    const half = await connect(port);
    half.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
    const used = await connect(port); // one answered request, then kept alive and idle
    used.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    await assertServed(port, 'with idle connections open');
    const limit = (IDLE_TIMEOUT_S + 6) * 1000;
    await Promise.race([Promise.all([idle.gone, half.gone, used.gone]), new Promise((r) => setTimeout(r, limit))]);
    for (const [name, s] of [['idle', idle], ['half a request', half], ['kept alive', used]]) {
      assert.notEqual(s.info.closedAfterMs, null, `${name}: still open after ${limit} ms`);
      assert.ok(s.info.closedAfterMs >= (IDLE_TIMEOUT_S - 1) * 1000,
        `${name}: closed after ${s.info.closedAfterMs} ms, before the idle timeout`);
      s.destroy();
    }
    assert.match(used.info.data, /^HTTP\/1\.1 200/);
  });

  it(`slowloris: ${SLOW_HEADER_ATTACKERS} connections sending a header byte every 5 s; others are served`, async () => {
    const { port } = await server();
    const socks = await Promise.all(Array.from({ length: SLOW_HEADER_ATTACKERS }, () => connect(port)));
    const stops = socks.map((s) => { s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '); return trickle(s, 'a', 5000); });
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await assertServed(port, `slowloris, second ${i + 1}`);
    }
    stops.forEach((stop) => stop());
    socks.forEach((s) => s.destroy());
  });

  it(`slowloris is shed: a connection whose headers trickle in is closed within ${IDLE_TIMEOUT_S + 6} s`, {
    todo: 'finding: the timeout is an idle timeout; a byte every few seconds keeps a connection open ' +
      'indefinitely (no deadline for the request head)',
  }, async () => {
    const { port } = await server();
    const s = await connect(port);
    s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ');
    const stop = trickle(s, 'a', 3000);
    await Promise.race([s.gone, new Promise((r) => setTimeout(r, (IDLE_TIMEOUT_S + 6) * 1000))]);
    stop();
    const closedAfter = s.info.closedAfterMs;
    s.destroy();
    assert.notEqual(closedAfter, null, `still open after ${IDLE_TIMEOUT_S + 6} s, having sent ${s.info.written} bytes`);
  });

  it(`many connections: ${MANY} slow connections from one address; a normal request from another is served`, {
    todo: 'finding: no per-address connection limit, and slow connections are never shed: 1,024 of them ' +
      'from one client take the server (new connections wait in the backlog, unanswered)',
  }, async () => {
    const { port } = await server();
    const socks = [];
    for (let i = 0; i < MANY; i++) socks.push(connect(port).catch(() => null));
    const open = (await Promise.all(socks)).filter(Boolean);
    const stops = open.map((s) => { s.write('GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: '); return trickle(s, 'a', 5000); });
    await new Promise((r) => setTimeout(r, 1500));
    try {
      await assertServed(port, `${open.length} slow connections open`);
    } finally {
      stops.forEach((stop) => stop());
      open.forEach((s) => s.destroy());
    }
  });

  it('endless chunked body: cut off (413 or closed) after 9 MiB (+ socket buffers); others are served meanwhile', async () => {
    const { port } = await server();
    const s = await connect(port);
    s.write('POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 0x20), Buffer.from('\r\n')]);
    let served = null;
    const pump = new Promise((resolve) => {
      const write = () => {
        while (!s.destroyed && s.info.written < 64 * 1024 * 1024) {
          s.info.written += 0x10000;
          if (s.info.written === 64 * 0x10000 && !served) served = assertServed(port, 'during an endless body');
          if (!s.write(chunk)) { s.once('drain', write); return; }
        }
        resolve();
      };
      s.on('close', resolve);
      write();
    });
    await Promise.race([pump, new Promise((r) => setTimeout(r, 20000))]);
    await Promise.race([s.gone, new Promise((r) => setTimeout(r, 2000))]);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(s.info.data)?.[1];
    assert.ok(s.info.closedAfterMs !== null || status === '413',
      `still open after ${s.info.written} bytes, answer: ${s.info.data.slice(0, 100)}`);
    if (status) assert.equal(status, '413');
    // The server reads 1 MiB + 8 MiB (HTTP_BODY_MAX + HTTP_DROP_MAX); what the client could
    // write besides sits in the loopback socket buffers (a few MiB).
    assert.ok(s.info.written <= 32 * 1024 * 1024, `wrote ${s.info.written} bytes before being cut off`);
    s.destroy();
    if (served) await served;
    await assertServed(port, 'after an endless body');
  });

  it('a declared 1 GB body (Content-Length): 413 or closed after 9 MiB (+ socket buffers)', async () => {
    const { port } = await server();
    const s = await connect(port);
    s.write('POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n');
    const block = Buffer.alloc(0x10000, 0x20);
    await new Promise((resolve) => {
      const write = () => {
        while (!s.destroyed && s.info.written < 64 * 1024 * 1024) {
          s.info.written += block.length;
          if (!s.write(block)) { s.once('drain', write); return; }
        }
        resolve();
      };
      s.on('close', resolve);
      write();
    });
    await Promise.race([s.gone, new Promise((r) => setTimeout(r, 2000))]);
    const status = /^HTTP\/1\.1 (\d{3})/.exec(s.info.data)?.[1];
    assert.ok(s.info.closedAfterMs !== null || status === '413', `still open after ${s.info.written} bytes`);
    if (status) assert.equal(status, '413');
    // The server reads 1 MiB + 8 MiB (HTTP_BODY_MAX + HTTP_DROP_MAX); what the client could
    // write besides sits in the loopback socket buffers (a few MiB).
    assert.ok(s.info.written <= 32 * 1024 * 1024, `wrote ${s.info.written} bytes before being cut off`);
    s.destroy();
    await assertServed(port, 'after a 1 GB declared body');
  });

  it(`slow endless body: a chunk every 3 s is cut off within ${IDLE_TIMEOUT_S + 6} s`, {
    todo: 'finding: a body that trickles in is never cut off (idle timeout only; no body deadline)',
  }, async () => {
    const { port } = await server();
    const s = await connect(port);
    s.write('POST /api/v1/assess HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const stop = trickle(s, '1\r\n \r\n', 3000);
    await Promise.race([s.gone, new Promise((r) => setTimeout(r, (IDLE_TIMEOUT_S + 6) * 1000))]);
    stop();
    const closedAfter = s.info.closedAfterMs;
    s.destroy();
    assert.notEqual(closedAfter, null, `still open after ${IDLE_TIMEOUT_S + 6} s`);
  });
});
