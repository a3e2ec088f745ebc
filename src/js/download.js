// Download bodies move here, never through wasm: Rust (core/src/download.rs) decides which
// request to make, whether a response may be written, when to retry and where to resume; these
// functions open a response, stream its body into a sink (a Node file, a Blob, a WritableStream)
// and report counts. Failures come back as { code, message } (code network|timeout|aborted|
// write_failed|file_exists|invalid_argument).

import { describeUrl, failure, isFailure } from "./transport.js";

/**
 * GET without credentials; resolves to { status, headers, response } once the head arrived.
 * `dispatcher` is Node's proxy agent when HTTP(S)_PROXY is set (from transport.js), else undefined.
 */
export async function openDownload(url, headers, signal, dispatcher) {
  if (signal?.aborted) throw failure("aborted", `download of ${describeUrl(url)} aborted`);
  let response;
  try {
    // No cookies, no Authorization: the link is pre-signed.
    const init = { method: "GET", headers, signal, credentials: "omit", redirect: "follow" };
    if (dispatcher) init.dispatcher = dispatcher;
    response = await fetch(url, init);
  } catch (e) {
    if (signal?.aborted) throw failure("aborted", `download of ${describeUrl(url)} aborted`);
    throw failure("network", `GET ${describeUrl(url)}: network error (${e?.cause?.code ?? e?.message ?? e})`);
  }
  return { status: response.status, headers: [...response.headers.entries()], response };
}

/**
 * Streams the body into `sink`, dropping the first `skip` bytes. Resolves to
 * { bytes, error } where error is null when the body ended normally.
 */
export async function pumpBody(response, sink, skip, offset, total, onProgress, signal) {
  let written = 0;
  let toSkip = skip;
  const reader = response.body?.getReader();
  if (!reader) return { bytes: 0, error: null };
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { bytes: written, error: null };
      let chunk = value;
      if (toSkip > 0) {
        const n = Math.min(toSkip, chunk.byteLength);
        toSkip -= n;
        chunk = chunk.subarray(n);
        if (chunk.byteLength === 0) continue;
      }
      try {
        await sink.write(chunk);
      } catch (e) {
        // The sink cannot take more (disk full, stream closed): final, not retried.
        reader.cancel().catch(() => {});
        return { bytes: written, error: writeFailure(e) };
      }
      written += chunk.byteLength;
      if (onProgress) {
        try {
          onProgress({ bytes: offset + written, total: total ?? null });
        } catch {
          // A progress hook must not break the download.
        }
      }
    }
  } catch (e) {
    if (signal?.aborted) return { bytes: written, error: failure("aborted", "download aborted") };
    return { bytes: written, error: failure("network", `the connection broke after ${offset + written} bytes (${e?.cause?.code ?? e?.message ?? e})`) };
  }
}

/** The first 64 KiB of an error response (for the message); the rest is dropped. */
export async function errorBody(response) {
  try {
    const reader = response.body?.getReader();
    if (!reader) return "";
    const parts = [];
    let size = 0;
    while (size < 65536) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
      size += value.byteLength;
    }
    reader.cancel().catch(() => {});
    const all = new Uint8Array(size);
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.byteLength;
    }
    return new TextDecoder().decode(all.subarray(0, 65536));
  } catch {
    return "";
  }
}

/** True where a `{ path }` download can be written (Node). */
export function canWriteFiles() {
  return typeof globalThis.process?.getBuiltinModule === "function" && !!globalThis.process.versions?.node;
}

/**
 * Node: a sink writing to a temporary file beside `path` (a folder means `path/defaultName`),
 * renamed at the end; an existing file is refused unless `overwrite`. With `resume`, the
 * temporary file is `<dest>.part` with the object's ETag and size in `<dest>.part.json`: it is
 * kept when the download fails (or the process dies), and a later download continues it.
 */
export async function fileSink(target, overwrite, defaultName, resume) {
  const proc = globalThis.process;
  const fs = proc.getBuiltinModule("fs");
  const path = proc.getBuiltinModule("path");
  const crypto = proc.getBuiltinModule("crypto");
  let dest = path.resolve(target);
  try {
    if (fs.statSync(dest).isDirectory()) dest = path.join(dest, defaultName);
  } catch {
    // Does not exist yet: the file's own name.
  }
  const refuse = () => failure("file_exists", `${dest} already exists; pass overwrite: true to replace it`);
  if (!overwrite && fs.existsSync(dest)) throw refuse();
  const temp = resume ? `${dest}.part` : path.join(path.dirname(dest), `.${path.basename(dest)}.${crypto.randomBytes(6).toString("hex")}.part`);
  const identity = `${temp}.json`;
  let fh;
  try {
    // Appending: a resumed file goes on from its end, and truncate(0) starts it over.
    fh = await fs.promises.open(temp, resume ? "a" : "wx");
  } catch (e) {
    throw writeFailure(e, `cannot create ${temp}`);
  }
  const existing = resume ? await partialOf(fs, fh, identity) : { bytes: 0, etag: null, total: null };
  return {
    kind: "file",
    existing,
    async write(chunk) {
      let at = 0;
      while (at < chunk.byteLength) {
        const { bytesWritten } = await fh.write(chunk, at, chunk.byteLength - at);
        at += bytesWritten;
      }
    },
    async record(etag, total) {
      if (!resume) return;
      // Written before any byte of this version, so a partial file always has its identity.
      const next = `${identity}.${crypto.randomBytes(4).toString("hex")}`;
      await fs.promises.writeFile(next, JSON.stringify({ etag, total }));
      await fs.promises.rename(next, identity);
    },
    async restart() {
      await fh.truncate(0);
      await fs.promises.unlink(identity).catch(() => {});
    },
    async commit() {
      await fh.close();
      if (overwrite) {
        await fs.promises.rename(temp, dest);
      } else {
        // link() fails if dest appeared meanwhile, so nothing is ever replaced.
        try {
          await fs.promises.link(temp, dest);
        } catch (e) {
          if (!resume) await fs.promises.unlink(temp).catch(() => {});
          if (e?.code === "EEXIST") throw refuse();
          throw writeFailure(e, `cannot create ${dest}`);
        }
        await fs.promises.unlink(temp).catch(() => {});
      }
      await fs.promises.unlink(identity).catch(() => {});
      return { path: dest };
    },
    async discard() {
      await fh.close().catch(() => {});
      // A resumable partial file stays for the next run; any other temporary file goes.
      if (!resume) await fs.promises.unlink(temp).catch(() => {});
    },
  };
}

/** What an earlier run left in a `.part` file: its size, and the identity it recorded (if any). */
async function partialOf(fs, fh, identity) {
  const { size } = await fh.stat();
  let etag = null;
  let total = null;
  try {
    const saved = JSON.parse(await fs.promises.readFile(identity, "utf8"));
    if (typeof saved?.etag === "string") etag = saved.etag;
    if (Number.isSafeInteger(saved?.total) && saved.total >= 0) total = saved.total;
  } catch {
    // No identity (or an unreadable one): the bytes cannot be checked and will not be used.
  }
  return { bytes: size, etag, total };
}

/** Collects the body as a Blob (browsers and Node); it lives in memory. */
export function blobSink(type) {
  const parts = [];
  return {
    kind: "blob",
    async write(chunk) {
      parts.push(chunk);
    },
    async commit() {
      return { blob: new Blob(parts, { type }) };
    },
    async discard() {
      parts.length = 0;
    },
  };
}

/** Pipes into a WritableStream (e.g. the File System Access API's createWritable()). */
export function writableSink(writable) {
  if (typeof writable?.getWriter !== "function") {
    throw failure("invalid_argument", "writable must be a WritableStream");
  }
  const writer = writable.getWriter();
  return {
    kind: "writable",
    async write(chunk) {
      await writer.write(chunk);
    },
    async commit() {
      await writer.close();
      return {};
    },
    async discard() {
      await writer.abort("download failed").catch(() => {});
    },
  };
}

export async function commitSink(sink) {
  try {
    return await sink.commit();
  } catch (e) {
    if (isFailure(e)) throw e;
    throw writeFailure(e, "cannot finish the file");
  }
}

export async function discardSink(sink) {
  await sink.discard();
}

/** Tells the sink which object (ETag, size) it receives; only resumable files keep it. */
export async function recordSink(sink, etag, total) {
  try {
    await sink.record?.(etag ?? null, total ?? null);
  } catch (e) {
    throw writeFailure(e, "cannot note the partial file's identity");
  }
}

/** Empties the sink to start the download over (an earlier partial file of another version). */
export async function restartSink(sink) {
  if (typeof sink.restart !== "function") throw failure("internal", "this download cannot start over");
  try {
    await sink.restart();
  } catch (e) {
    throw writeFailure(e, "cannot start the partial file over");
  }
}

function writeFailure(e, what = "cannot write the download") {
  return failure("write_failed", `${what}: ${e?.code ? `${e.code} ` : ""}${e?.message ?? e}`);
}

