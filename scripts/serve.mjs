#!/usr/bin/env node
// A tiny static file server for the built page (build/site), with nothing beyond Node itself: the right
// MIME types (application/wasm lets the browser compile the module while it downloads), no directory
// listings, every path confined to the root, and 127.0.0.1 unless told otherwise. No special headers:
// the page must work on any plain static host.
//
//   node scripts/serve.mjs [--root build/site] [--port 8000] [--host 127.0.0.1]
//   import { startServer } from './serve.mjs';  const { url, close } = await startServer({ root, port: 0 });
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.tgz': 'application/gzip',
  '.gz': 'application/gzip',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
});

/**
 * Starts serving `root`; port 0 picks a free one. `files` maps URL paths to files served from elsewhere
 * (the tests serve $MNIST_SAMPLE as /mnist_sample.tgz). Resolves to {server, port, url, close()}.
 */
export async function startServer({ root, port = 8000, host = '127.0.0.1', files = {} }) {
  const rootPath = await realpath(root);
  const server = createServer((request, response) => {
    respond(rootPath, files, request, response).catch(() => send(response, 500, 'internal error'));
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const { port: actualPort } = server.address();
  return {
    server,
    port: actualPort,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${actualPort}/`,
    close: () => new Promise((resolve) => {
      server.close(resolve);
      server.closeAllConnections?.();
    }),
  };
}

async function respond(root, files, request, response) {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    return send(response, 405, 'method not allowed');
  }
  const urlPath = new URL(request.url, 'http://localhost').pathname;
  const file = Object.hasOwn(files, urlPath) ? await fileInfo(files[urlPath]) : await resolveFile(root, request.url);
  if (!file) return send(response, 404, 'not found');
  // The type follows the name asked for: a mapped file may be stored under another name.
  const typed = Object.hasOwn(files, urlPath) ? urlPath : file.path;
  response.writeHead(200, {
    'Content-Type': MIME_TYPES[path.extname(typed).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': file.size,
    'Cache-Control': 'no-cache',
    'X-Content-Type-Options': 'nosniff',
  });
  if (request.method === 'HEAD') return response.end();
  const stream = createReadStream(file.path);
  stream.on('error', () => response.destroy());
  stream.pipe(response);
}

// The regular file a request names inside root ("/" and folders mean their index.html), or null. Symbolic
// links are followed only when their target is inside root too.
async function resolveFile(root, requestUrl) {
  let pathname;
  try {
    pathname = decodeURIComponent(new URL(requestUrl, 'http://localhost').pathname);
  } catch {
    return null;  // malformed percent-encoding
  }
  if (pathname.includes('\0')) return null;
  let candidate = path.resolve(root, `.${pathname}`);
  try {
    if ((await stat(candidate)).isDirectory()) candidate = path.join(candidate, 'index.html');
    const real = await realpath(candidate);
    if (real !== root && !real.startsWith(root + path.sep)) return null;
    return await fileInfo(real);
  } catch {
    return null;
  }
}

async function fileInfo(file) {
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? { path: file, size: info.size } : null;
}

function send(response, status, message) {
  if (response.headersSent) return response.destroy();
  response.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(message) });
  response.end(message);
}

function parseArguments(args) {
  const options = { root: 'build/site', port: 8000, host: '127.0.0.1' };
  for (let i = 0; i < args.length; i++) {
    const [flag, value] = [args[i], args[i + 1]];
    if (flag === '--help' || flag === '-h') return null;
    if (!['--root', '--port', '--host'].includes(flag) || value === undefined) throw new Error(`unknown or incomplete option '${flag}'`);
    options[flag.slice(2)] = value;
    i++;
  }
  const port = Number(options.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, got '${options.port}'`);
  return { ...options, port };
}

async function main() {
  let options;
  try {
    options = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`serve: ${error.message} (see --help)`);
    process.exit(2);
  }
  if (!options) {
    console.log('usage: node scripts/serve.mjs [--root build/site] [--port 8000] [--host 127.0.0.1]');
    return;
  }
  try {
    const { port, url } = await startServer(options);
    const loopback = ['127.0.0.1', '::1', '0.0.0.0', '::'].includes(options.host);
    console.log(`Serving ${options.root} at ${loopback ? `http://localhost:${port}/` : url} (Ctrl+C to stop)`);
  } catch (error) {
    const reason = error.code === 'EADDRINUSE' ? `port ${options.port} is already in use (try --port ${options.port + 1})`
      : error.code === 'ENOENT' ? `${options.root} does not exist (build it with scripts/build-site)` : error.message;
    console.error(`serve: ${reason}`);
    process.exit(1);
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
