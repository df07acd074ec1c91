// Where the dataset's bytes come from: the archive served beside the page (downloaded with progress)
// or a file the learner chose or dropped. Decoding is the engine's job, in the worker.

/** The engine refuses larger archives (kMaxArchiveBytes); checking here spares reading a huge file. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/**
 * Downloads url into one Uint8Array, calling onProgress(receivedBytes, totalBytes or 0 when unknown)
 * as chunks arrive.
 */
export async function download(url, onProgress) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not download ${url} (HTTP ${response.status} ${response.statusText})`);
  // A compressing server makes Content-Length the compressed size: then the total is unknown.
  const encoded = response.headers.get('Content-Encoding');
  const total = encoded ? 0 : Number(response.headers.get('Content-Length')) || 0;
  if (total > MAX_ARCHIVE_BYTES) throw new Error(`${url} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
  const reader = response.body.getReader();
  const chunks = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    received += value.length;
    if (received > MAX_ARCHIVE_BYTES) throw new Error(`${url} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
    chunks.push(value);
    onProgress(received, total);
  }
  return concatenate(chunks, received);
}

/** A File (from the file input or a drop) -> its bytes, after checking its size. */
export async function readFile(file) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_ARCHIVE_BYTES) throw new Error(`the file is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
  return new Uint8Array(await file.arrayBuffer());
}

function concatenate(chunks, length) {
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
