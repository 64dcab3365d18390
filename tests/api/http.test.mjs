// HTTP-level behaviour: healthz, routing (404/405), content type (415), malformed
// JSON (400), body limit (413) and header limit (431). Requests that write are made
// by a redacteur of GM0344 (bearer token) so that they get past authorisation;
// POST /api/v1/organisations by an operator.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  startServer, client, rawRequest, fullRecord, makeLars, breakLars, userWithToken,
} from './server.mjs';

let srv;
let api;   // redacteur of GM0344
let anon;
let op;    // operator
let token; // the redacteur's bearer token, for raw requests
let algId;

before(async () => {
  srv = await startServer();
  const red = userWithToken(srv, { roles: [['GM0344', 'redacteur']], prefix: 'redacteur' });
  api = red.api;
  token = red.token;
  anon = client(srv.base);
  op = userWithToken(srv, { operator: true, prefix: 'operator' }).api;
  const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', { json: fullRecord() });
  assert.equal(r.status, 201, r.text);
  algId = r.json.id;
});
after(async () => { await srv?.stop(); });

function assertJsonError(r, status, code) {
  assert.equal(r.status, status, `expected ${status}, got ${r.status}: ${r.text}`);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.ok(r.json, `body is not JSON: ${r.text}`);
  assert.equal(r.json.status, status);
  assert.equal(r.json.error, code);
  assert.equal(typeof r.json.message, 'string');
  assert.ok(r.json.message.length > 0);
}

function allowSet(r) {
  const allow = r.headers.get ? r.headers.get('allow') : r.headers.allow;
  assert.ok(allow, 'Allow header missing');
  return new Set(allow.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean));
}

test('GET /healthz -> 200 {"status":"ok"}', async () => {
  const r = await anon('GET', '/healthz');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type') || '', /^application\/json/);
  assert.deepEqual(r.json, { status: 'ok' });
});

test('unknown routes -> 404 (not_found JSON under /api/)', async () => {
  for (const p of ['/api/v1/nope', '/api/v2/algorithms', '/api/v1/organisations/GM0344/nope',
    '/api/v1/algorithms/' + algId + '/nope']) {
    assertJsonError(await anon('GET', p), 404, 'not_found');
    assertJsonError(await api('GET', p), 404, 'not_found');
  }
  // outside /api/ the web UI answers ('/' is its search page; unknown pages are an HTML 404)
  for (const p of ['/healthz/extra', '/no/such/page']) {
    assert.equal((await anon('GET', p)).status, 404, p);
  }
});

test('unknown or malformed algorithm ids -> 404', async () => {
  const unknown = makeLars(9876543);
  for (const p of [
    `/api/v1/algorithms/${unknown}`,
    `/api/v1/algorithms/${unknown}/versions`,
    `/api/v1/algorithms/${breakLars(algId)}`,
    `/api/v1/algorithms/${breakLars(algId)}/versions`,
    '/api/v1/algorithms/abc',
    '/api/v1/algorithms/1234567',
    '/api/v1/algorithms/123456789',
  ]) {
    assertJsonError(await api('GET', p), 404, 'not_found');
    assertJsonError(await anon('GET', p), 404, 'not_found');
  }
  for (const who of [api, anon]) {
    assertJsonError(await who('POST', `/api/v1/algorithms/${unknown}/archive`), 404, 'not_found');
    assertJsonError(await who('PUT', `/api/v1/algorithms/${unknown}`,
      { json: fullRecord(), headers: { 'If-Match': '"1"' } }), 404, 'not_found');
  }
});

test('wrong method -> 405 method_not_allowed with Allow header', async () => {
  const cases = [
    ['POST', '/healthz', ['GET']],
    ['DELETE', '/api/v1/organisations', ['GET', 'POST']],
    ['PUT', '/api/v1/organisations/GM0344', ['GET']],
    ['DELETE', `/api/v1/algorithms/${algId}`, ['GET', 'PUT']],
    ['PATCH', `/api/v1/algorithms/${algId}`, ['GET', 'PUT']],
    ['POST', '/api/v1/algorithms', ['GET']],
    ['GET', `/api/v1/algorithms/${algId}/archive`, ['POST']],
    ['POST', `/api/v1/algorithms/${algId}/versions`, ['GET']],
    ['GET', '/api/v1/import', ['POST']],
    ['POST', '/api/v1/export', ['GET']],
    ['GET', '/api/v1/organisations/GM0344/algorithms', ['POST']],
    // issue 4
    ['PUT', '/api/v1/session', ['GET', 'POST', 'DELETE']],
    ['GET', '/api/v1/password', ['POST']],
    ['DELETE', '/api/v1/organisations/GM0344/users', ['GET', 'POST']],
    ['GET', '/api/v1/organisations/GM0344/settings', ['PUT']],
    ['GET', '/api/v1/users/someone@example.nl/disable', ['POST']],
    ['GET', '/api/v1/users/someone@example.nl/reset-link', ['POST']],
    ['PUT', '/api/v1/tokens', ['GET', 'POST']],
    ['GET', '/api/v1/tokens/1', ['DELETE']],
    ['POST', '/api/v1/audit/verify', ['GET']],
    ['GET', `/api/v1/algorithms/${algId}/release`, ['POST']],
    ['GET', `/api/v1/algorithms/${algId}/publish`, ['POST']],
    ['GET', `/api/v1/algorithms/${algId}/reject`, ['POST']],
    ['GET', `/api/v1/algorithms/${algId}/retract`, ['POST']],
    ['POST', `/api/v1/algorithms/${algId}/publications`, ['GET']],
  ];
  for (const [method, p, allowed] of cases) {
    const r = await api(method, p, method === 'GET' ? {} : { body: '{}', headers: { 'Content-Type': 'application/json' } });
    assertJsonError(r, 405, 'method_not_allowed');
    const allow = allowSet(r);
    for (const m of allowed) assert.ok(allow.has(m), `${method} ${p}: Allow ${[...allow]} lacks ${m}`);
    assert.ok(!allow.has(method), `${method} ${p}: Allow lists the rejected method`);
  }
});

test('wrong Content-Type -> 415 unsupported_media_type', async () => {
  const body = JSON.stringify(fullRecord());
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'text/csv']) {
    const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', { body, headers: { 'Content-Type': ct } });
    assertJsonError(r, 415, 'unsupported_media_type');
  }
  const r2 = await op('POST', '/api/v1/organisations', {
    body: JSON.stringify({ code: 'XT01', name: 'Test', type: 'overig' }), headers: { 'Content-Type': 'text/plain' },
  });
  assertJsonError(r2, 415, 'unsupported_media_type');
  const r3 = await api('PUT', `/api/v1/algorithms/${algId}`, {
    body, headers: { 'Content-Type': 'text/plain', 'If-Match': '"1"' },
  });
  assertJsonError(r3, 415, 'unsupported_media_type');
  const r4 = await api('POST', '/api/v1/import', { body: '[]', headers: { 'Content-Type': 'application/xml' } });
  assertJsonError(r4, 415, 'unsupported_media_type');
  // nothing was created by the rejected requests
  const org = await anon('GET', '/api/v1/organisations/XT01');
  assert.equal(org.status, 404);
});

test('Content-Type application/json with charset parameter is accepted', async () => {
  const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body: JSON.stringify(fullRecord({ name: 'Charset test' })),
    headers: { 'Content-Type': 'application/json; charset=utf-8' },
  });
  assert.equal(r.status, 201, r.text);
});

test('malformed JSON -> 400 malformed_json with 1-based line and column', async () => {
  const body = '{\n  "name": "Test",\n  "status" "In gebruik"\n}';
  const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body, headers: { 'Content-Type': 'application/json' },
  });
  assertJsonError(r, 400, 'malformed_json');
  assert.equal(r.json.line, 3, `line: ${r.text}`);
  assert.equal(typeof r.json.column, 'number');
  assert.ok(r.json.column >= 1 && r.json.column <= '  "status" "In gebruik"'.length + 1, `column: ${r.text}`);

  const r2 = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body: '{"name": "x",}', headers: { 'Content-Type': 'application/json' },
  });
  assertJsonError(r2, 400, 'malformed_json');
  assert.equal(r2.json.line, 1);
  assert.ok(r2.json.column >= 1 && r2.json.column <= 15, `column: ${r2.text}`);

  const r3 = await op('POST', '/api/v1/organisations', {
    body: '{"code": "XT02", "name": ', headers: { 'Content-Type': 'application/json' },
  });
  assertJsonError(r3, 400, 'malformed_json');
  assert.equal(r3.json.line, 1);
  assert.ok(Number.isInteger(r3.json.column) && r3.json.column >= 1);

  const r4 = await api('PUT', `/api/v1/algorithms/${algId}`, {
    body: '[1, 2', headers: { 'Content-Type': 'application/json', 'If-Match': '"1"' },
  });
  assertJsonError(r4, 400, 'malformed_json');

  const r5 = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body: '', headers: { 'Content-Type': 'application/json' },
  });
  assertJsonError(r5, 400, 'malformed_json');
});

test('invalid UTF-8 in a JSON body is rejected (400 or 422), not stored', async () => {
  const body = Buffer.concat([Buffer.from('{"name": "Ongeldig '), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
  const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body, headers: { 'Content-Type': 'application/json' },
  });
  assert.ok(r.status === 400 || r.status === 422, `status ${r.status}: ${r.text}`);
  assert.ok(r.json && (r.json.error === 'malformed_json' || r.json.error === 'validation_failed'), r.text);
});

function postHead(path, extra) {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\n${extra}Connection: close\r\n\r\n`;
}

test('body over 1 MiB (Content-Length) -> 413 body_too_large', { timeout: 30000 }, async () => {
  const size = 1024 * 1024 + 1;
  const body = Buffer.alloc(size, 'a');
  body.write('{"name":"', 0);
  body.write('"}', size - 2);
  const r = await rawRequest(srv.port, postHead('/api/v1/organisations/GM0344/algorithms',
    `Content-Type: application/json\r\nContent-Length: ${size}\r\n`), { body });
  assert.equal(r.status, 413, r.raw.slice(0, 300));
  const j = JSON.parse(r.body);
  assert.equal(j.status, 413);
  assert.equal(j.error, 'body_too_large');
  assert.equal((await anon('GET', '/healthz')).status, 200);
});

test('body over 1 MiB (chunked, no Content-Length) -> 413 body_too_large', { timeout: 30000 }, async () => {
  const piece = Buffer.alloc(64 * 1024, 'a');
  const parts = [Buffer.from('9\r\n{"name":"\r\n')];
  for (let i = 0; i < 17; i++) { // 17 * 64 KiB > 1 MiB
    parts.push(Buffer.from(piece.length.toString(16) + '\r\n'), piece, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from('2\r\n"}\r\n0\r\n\r\n'));
  const r = await rawRequest(srv.port, postHead('/api/v1/organisations/GM0344/algorithms',
    'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n'), { body: Buffer.concat(parts) });
  assert.equal(r.status, 413, r.raw.slice(0, 300));
  assert.equal(JSON.parse(r.body).error, 'body_too_large');
});

test('body of exactly 1 MiB is not rejected for size', { timeout: 30000 }, async () => {
  const size = 1024 * 1024;
  const prefix = '{"name":"Grens","goal":"';
  const body = prefix + 'a'.repeat(size - prefix.length - 2) + '"}';
  assert.equal(Buffer.byteLength(body), size);
  const r = await api('POST', '/api/v1/organisations/GM0344/algorithms', {
    body, headers: { 'Content-Type': 'application/json' },
  });
  assert.equal(r.status, 422, r.text.slice(0, 300));
  assert.equal(r.json.error, 'validation_failed');
  assert.ok(r.json.errors.some((e) => e.field === 'goal' && e.code === 'too_long'), r.text.slice(0, 300));
});

test('import body over 64 MiB -> 413 body_too_large', { timeout: 60000 }, async () => {
  const size = 64 * 1024 * 1024 + 1;
  const body = Buffer.alloc(size, ' ');
  body.write('[', 0);
  body.write(']', size - 1);
  const r = await rawRequest(srv.port, postHead('/api/v1/import',
    `Content-Type: application/json\r\nContent-Length: ${size}\r\n`), { body, timeout: 50000 });
  assert.equal(r.status, 413, r.raw.slice(0, 300));
  assert.equal(JSON.parse(r.body).error, 'body_too_large');
});

test('request headers over 16 KiB -> 431', async () => {
  const big = 'a'.repeat(17 * 1024);
  const r = await rawRequest(srv.port,
    `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${big}\r\nConnection: close\r\n\r\n`);
  assert.equal(r.status, 431, r.raw.slice(0, 300));
  if (r.body.trim().startsWith('{')) assert.equal(JSON.parse(r.body).error, 'header_too_large');

  let many = '';
  for (let i = 0; i < 40; i++) many += `X-Filler-${i}: ${'b'.repeat(500)}\r\n`;
  const r2 = await rawRequest(srv.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${many}Connection: close\r\n\r\n`);
  assert.equal(r2.status, 431, r2.raw.slice(0, 300));

  // the server is still healthy
  assert.equal((await api('GET', '/healthz')).status, 200);
});

test('request headers well under 16 KiB are accepted', async () => {
  const r = await rawRequest(srv.port,
    `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ${'a'.repeat(12 * 1024)}\r\nConnection: close\r\n\r\n`);
  assert.equal(r.status, 200, r.raw.slice(0, 300));
  assert.deepEqual(JSON.parse(r.body), { status: 'ok' });
});

test('SIGTERM stops the server gracefully with exit code 0', async () => {
  const r = await srv.stop();
  assert.deepEqual(r, { code: 0, signal: null }, `stderr: ${srv.stderr()}`);
});
