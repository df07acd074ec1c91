// Files between the learner and the page: the dataset's bytes, from the archive served beside the page
// (downloaded with progress, in the worker) or a file the learner chose or dropped; and text to save.

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

// simple_net's parameters file is 320 KB as %.9g, 610 KB as numpy's %.18e: anything bigger is wrong.
const MAX_PARAMS_BYTES = 1024 * 1024;

/** A File (from the file input or a drop) -> its bytes, after checking its size. */
export async function readFile(file) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_ARCHIVE_BYTES) throw new Error(`the file is larger than ${MAX_ARCHIVE_BYTES >> 20} MiB`);
  return new Uint8Array(await file.arrayBuffer());
}

/** A parameters file the learner chose -> its text, after checking its size (the engine parses it). */
export async function readParamsText(file) {
  if (file.size === 0) throw new Error('the file is empty');
  if (file.size > MAX_PARAMS_BYTES) throw new Error(`the file is larger than ${MAX_PARAMS_BYTES >> 20} MB (a parameters file is at most about 650 KB)`);
  return file.text();
}

/**
 * Offers text as a download named `name`. A blob: URL is same-origin, and following a link is a
 * navigation, not a fetch, so the page's Content-Security-Policy lets it through.
 */
export function saveFile(name, text) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/plain' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  // The download has its own reference to the data once it has started; free ours soon after.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Copies text to the clipboard; false when there is none (an insecure origin, an iframe without permission). */
export async function copyText(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
