// Where the dataset's bytes come from: the archive served beside the page (downloaded with progress)
// or a file the learner chose or dropped. Decoding is the engine's job, in the worker.

/** The engine refuses larger archives (kMaxArchiveBytes); checking here spares reading a huge file. */
export const MAX_ARCHIVE_BYTES = 64 * 1024 * 1024;

/**
 * Downloads url, handing each piece to onChunk(bytes, receivedBytes, totalBytes or 0 when unknown) as it
 * arrives. If onChunk throws, the download stops and download() rejects with that error.
 */
export async function download(url, onChunk) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`could not download ${url} (HTTP ${response.status} ${response.statusText})`);
  // A compressing server makes Content-Length the compressed size: then the total is unknown.
  const encoded = response.headers.get('Content-Encoding');
  const total = encoded ? 0 : Number(response.headers.get('Content-Length')) || 0;
  if (total > MAX_ARCHIVE_BYTES) throw new Error(`${url} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
  const reader = response.body.getReader();
  let received = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      received += value.length;
      if (received > MAX_ARCHIVE_BYTES) throw new Error(`${url} is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
      onChunk(value, received, total);
    }
  } catch (error) {
    reader.cancel().catch(() => {});
    throw error;
  }
}

/** A File (from the file input or a drop) -> its bytes, after checking its size. */
export async function readFile(file) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_ARCHIVE_BYTES) throw new Error(`the file is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
  return new Uint8Array(await file.arrayBuffer());
}
