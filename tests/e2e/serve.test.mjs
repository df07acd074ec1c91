// The static server the demo and the page's tests use: MIME types, no listings, nothing outside its root.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServer } from '../../scripts/serve.mjs';

// A raw request, so that paths like /../x reach the server exactly as written.
function get(url, { method = 'GET', path: rawPath } = {}) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, method, path: rawPath }, (response) => {
      let body = '';
      response.setEncoding('latin1');
      response.on('data', (chunk) => { body += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, headers: response.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('scripts/serve.mjs', () => {
  let dir, site, server;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'serve-test-'));
    site = path.join(dir, 'site');
    mkdirSync(path.join(site, 'sub'), { recursive: true });
    writeFileSync(path.join(site, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(path.join(site, 'app.js'), 'export {};');
    writeFileSync(path.join(site, 'm.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(path.join(site, 'style.css'), 'body {}');
    writeFileSync(path.join(site, 'sub', 'note.txt'), 'hi');
    writeFileSync(path.join(dir, 'secret.txt'), 'outside the root');
    symlinkSync(path.join(dir, 'secret.txt'), path.join(site, 'link.txt'));
    server = await startServer({ root: site, port: 0, files: { '/extra.tgz': path.join(dir, 'secret.txt') } });
  });

  after(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on 127.0.0.1 by default', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('serves each file with its MIME type, and / as index.html', async () => {
    const expected = { '/': 'text/html', '/app.js': 'text/javascript', '/m.wasm': 'application/wasm', '/style.css': 'text/css' };
    for (const [file, type] of Object.entries(expected)) {
      const response = await get(server.url, { path: file });
      assert.equal(response.status, 200, file);
      assert.equal(response.headers['content-type'].split(';')[0], type, file);
    }
    const wasm = await get(server.url, { path: '/m.wasm' });
    assert.equal(wasm.headers['content-length'], '8');
  });

  it('lists no directory and reaches nothing outside its root', async () => {
    for (const rawPath of ['/sub/', '/sub', '/../secret.txt', '/%2e%2e/secret.txt', '/sub/..%2f..%2fsecret.txt', '/link.txt', '/nothing.js', '/%E0%A4%A']) {
      const response = await get(server.url, { path: rawPath });
      assert.equal(response.status, 404, rawPath);
      assert.doesNotMatch(response.body, /outside the root|note\.txt/, rawPath);
    }
  });

  it('serves a file mapped in from elsewhere at its own path only', async () => {
    const mapped = await get(server.url, { path: '/extra.tgz' });
    assert.equal(mapped.status, 200);
    assert.equal(mapped.headers['content-type'], 'application/gzip');
    assert.equal(mapped.body, 'outside the root');
    assert.equal((await get(server.url, { path: '/extra.tgz/' })).status, 404);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await get(server.url, { method: 'HEAD', path: '/app.js' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    const post = await get(server.url, { method: 'POST', path: '/app.js' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });
});
