// Upload I/O for the wasm driver (src/upload/): opening inputs, reading parts, sending signed S3
// requests. Rust decides what to send, when to retry and signs everything; this file only moves
// bytes. Parts stay JavaScript objects (a Blob of Blob slices in browsers, a Buffer of file ranges
// in Node) handed to XHR/fetch; only ≤ 1 MiB chunks of them are copied into wasm for checksums.
// Upload credentials reach this file only inside signed headers/URLs, which are never logged or
// put into error messages (URLs are described by origin and path only).

import { describeUrl, failure } from "./transport.js";

const CHUNK = 1 << 20;

function nodeModule(name) {
  const proc = globalThis.process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== "function") return undefined;
  return proc.getBuiltinModule(name);
}

function invalidFile(message) {
  return failure("invalid_file", message);
}

function isBlob(x) {
  return typeof Blob !== "undefined" && x instanceof Blob;
}

/**
 * Describes one upload file: a path (Node), a File/Blob, or an array of those (lane files sent as
 * one file, in order). Resolves to { name, names, sizes, lastModified, handle }.
 */
export async function describeFile(input) {
  if (input && typeof input === "object" && !isBlob(input) && !Array.isArray(input) && typeof input.stream?.getReader === "function") {
    // { name, stream, size?, lastModified? }: read once, in order; parts are kept until S3 has them.
    if (typeof input.name !== "string" || !input.name) throw invalidFile("a stream upload needs a file name: { name, stream }");
    const size = Number.isFinite(input.size) && input.size >= 0 ? input.size : undefined;
    return {
      name: input.name, names: [input.name], sizes: [], knownSize: size,
      lastModified: typeof input.lastModified === "number" ? input.lastModified : undefined,
      handle: { sources: [], fds: new Map(), reader: input.stream.getReader(), pending: [], done: false },
    };
  }
  const parts = Array.isArray(input) ? input : [input];
  if (parts.length === 0) throw invalidFile("an empty list of lane files was given");
  const sources = [];
  for (const p of parts) {
    if (typeof p === "string") {
      const fs = nodeModule("fs");
      if (!fs) throw invalidFile(`${p}: file paths can only be read in Node; pass a File in browsers`);
      let st;
      try {
        st = await fs.promises.stat(p);
      } catch (e) {
        throw invalidFile(`${p} cannot be read (${e?.code ?? e?.message ?? e})`);
      }
      if (!st.isFile()) throw invalidFile(`${p} is not a regular file`);
      sources.push({ type: "path", path: p, name: p, size: st.size, lastModified: Math.floor(st.mtimeMs) });
    } else if (isBlob(p)) {
      const name = typeof p.name === "string" ? p.name : undefined;
      if (!name) throw invalidFile("a Blob has no file name: pass a File, or new File([blob], name)");
      sources.push({ type: "blob", blob: p, name, size: p.size, lastModified: typeof p.lastModified === "number" ? p.lastModified : undefined });
    } else {
      throw invalidFile("an upload file must be a File, a Blob with a name, or (in Node) a file path");
    }
  }
  const lastModified = sources.every((s) => s.lastModified !== undefined) ? Math.max(...sources.map((s) => s.lastModified)) : undefined;
  return {
    name: sources[0].name,
    names: sources.map((s) => s.name),
    sizes: sources.map((s) => s.size),
    lastModified,
    handle: { sources, fds: new Map() },
  };
}

/** The name of each input of `pairFiles` (path, File, or { name }). */
export function inputName(x) {
  if (typeof x === "string") return x;
  if (x && typeof x.name === "string") return x.name;
  return "";
}

async function openFd(handle, i) {
  let fd = handle.fds.get(i);
  if (!fd) {
    fd = nodeModule("fs").promises.open(handle.sources[i].path, "r");
    handle.fds.set(i, fd);
  }
  return fd;
}

/** Closes the file handles a Node upload opened. */
export async function closeFile(handle) {
  if (handle.reader) handle.reader.releaseLock?.();
  const fds = [...handle.fds.values()];
  handle.fds.clear();
  await Promise.all(fds.map(async (p) => (await p.catch(() => undefined))?.close().catch(() => {})));
}

/**
 * The bytes of one part: `slices` is [[source, start, end], …] (consecutive ranges, several for a
 * part that spans lane files). Blobs give a lazy Blob of slices (nothing read yet); paths give a
 * Buffer read by ranges from the file handles.
 */
export async function readPart(handle, slices, len) {
  if (handle.sources.every((s) => s.type === "blob")) {
    return new Blob(slices.map(([s, a, b]) => handle.sources[s].blob.slice(a, b)));
  }
  // Part buffers are reused (see releasePart): at most concurrency + 1 exist, so memory stays
  // bounded by the part size whatever the file size, without waiting for the GC.
  handle.pool ??= [];
  const i = handle.pool.findIndex((b) => b.length === len);
  const buf = i >= 0 ? handle.pool.splice(i, 1)[0] : Buffer.allocUnsafeSlow(len);
  let at = 0;
  for (const [s, a, b] of slices) {
    const src = handle.sources[s];
    if (src.type === "blob") {
      const bytes = new Uint8Array(await src.blob.slice(a, b).arrayBuffer());
      buf.set(bytes, at);
      at += bytes.length;
      continue;
    }
    const fd = await openFd(handle, s);
    let pos = a;
    while (pos < b) {
      const { bytesRead } = await fd.read(buf, at, b - pos, pos);
      if (bytesRead === 0) throw invalidFile(`${src.name} became shorter while it was being uploaded`);
      pos += bytesRead;
      at += bytesRead;
    }
  }
  if (at !== len) throw invalidFile("a file changed size while it was being uploaded");
  return buf;
}

/** Gives a part's buffer back for the next part once its request has ended. */
export function releasePart(handle, part) {
  if (handle.pool && !isBlob(part) && part instanceof Uint8Array && handle.pool.length < 32) handle.pool.push(part);
}

/** Bytes [start, end) of a part, at most 1 MiB, for the checksum. */
export function partChunk(part, start, end) {
  if (end - start > CHUNK) end = start + CHUNK;
  if (isBlob(part)) return part.slice(start, end).arrayBuffer().then((b) => new Uint8Array(b));
  return part.subarray(start, end);
}

/** Waits while a browser is offline (navigator.onLine false); resolves at once elsewhere. */
export function waitOnline(signal) {
  const nav = globalThis.navigator;
  if (!nav || nav.onLine !== false || typeof globalThis.addEventListener !== "function" || signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = () => {
      globalThis.removeEventListener("online", done);
      signal?.removeEventListener("abort", done);
      resolve(true);
    };
    globalThis.addEventListener("online", done);
    signal?.addEventListener("abort", done, { once: true });
  });
}

export function isOffline() {
  return globalThis.navigator?.onLine === false;
}


function outcome(tag, status, headers, body) {
  const get = (k) => headers(k) ?? undefined;
  const ra = Number(get("retry-after"));
  return {
    tag,
    status,
    body,
    etag: get("etag"),
    bucketRegion: get("x-amz-bucket-region"),
    retryAfterMs: Number.isFinite(ra) && ra > 0 ? ra * 1000 : undefined,
  };
}

const failed = (tag, code, message) => ({ tag, error: failure(code, message) });

/**
 * Sends one signed S3 request. `body` is a part (Blob or Buffer), XML text, or null. Never rejects:
 * resolves to { tag, status, body, etag, bucketRegion, retryAfterMs } or { tag, error: { code,
 * message } } with code network, timeout (no progress for `stallMs`) or aborted. `onBytes(tag,
 * sent)` reports upload progress where the platform gives it (XHR in browsers, node:http in Node).
 * `dispatcher` is Node's proxy agent when HTTP(S)_PROXY is set (fetch then).
 */
export function sendS3(tag, method, url, headers, body, signal, stallMs, onBytes, dispatcher) {
  if (signal?.aborted) return Promise.resolve(failed(tag, "aborted", "aborted"));
  if (typeof XMLHttpRequest !== "undefined" && isBlob(body)) return exchange(tag, method, url, signal, stallMs, (x) => sendXhr(x, method, url, headers, body, onBytes));
  const http = !dispatcher && !isBlob(body) && nodeHttp(url);
  if (http) return exchange(tag, method, url, signal, stallMs, (x) => sendNode(x, http, method, url, headers, body, onBytes));
  return exchange(tag, method, url, signal, stallMs, (x) => sendFetch(x, method, url, headers, body, dispatcher));
}

/**
 * What the three senders share: one settlement, the stall timer and the caller's abort. `start(x)`
 * begins the request and returns the function that cuts it off; the sender then calls x.arm() on
 * progress, x.answer(status, header, text) on a response and x.fail(detail) when the transport
 * failed (the code follows from why: the caller aborted, the stall timer fired, or the network).
 */
function exchange(tag, method, url, signal, stallMs, start) {
  return new Promise((resolve) => {
    let timer;
    let stalled = false;
    let settled = false;
    let cut = () => {};
    const onAbort = () => cut();
    const x = {
      tag,
      onFinish: undefined,
      get settled() {
        return settled;
      },
      arm() {
        clearTimeout(timer);
        if (stallMs && !settled) timer = setTimeout(() => {
          stalled = true;
          cut();
        }, stallMs);
      },
      finish(v) {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        x.onFinish?.();
        resolve(v);
      },
      answer(status, header, text) {
        x.finish(outcome(tag, status, header, text));
      },
      fail(detail) {
        if (signal?.aborted) x.finish(failed(tag, "aborted", "aborted"));
        else if (stalled) x.finish(failed(tag, "timeout", `${method} ${describeUrl(url)}: no progress for ${stallMs} ms`));
        else x.finish(failed(tag, "network", `${method} ${describeUrl(url)}: network error${detail ? ` (${detail})` : ""}`));
      },
    };
    try {
      cut = start(x);
    } catch (e) {
      return x.fail(e?.code ?? e?.message ?? String(e));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    x.arm();
  });
}

const agents = new Map();

/** Node: { mod, agent } of node:http(s) for `url`, or undefined elsewhere. */
function nodeHttp(url) {
  const https = url.startsWith("https:");
  const mod = nodeModule(https ? "https" : "http");
  if (!mod) return undefined;
  let agent = agents.get(mod);
  if (!agent) {
    // Keep-alive sockets, as fetch has; no socket limit (concurrency bounds what is in flight).
    agent = new mod.Agent({ keepAlive: true });
    agents.set(mod, agent);
  }
  return { mod, agent };
}

// Node's fetch copies a Buffer body (the Fetch spec's "extract a body" takes a copy) and streams
// the copy, so each part in flight would exist twice, the copies freed only when the GC runs: the
// peak RSS of an upload grew well past (concurrency + 1) parts. node:http writes the part's own
// Buffer to the socket, in 128 KiB slices (views, not copies) whose write callbacks (the kernel took
// the bytes) give upload progress and re-arm the stall timer, with the exact Content-Length S3 needs.
const WRITE_SLICE = 128 << 10;

function sendNode(x, { mod, agent }, method, url, headers, body, onBytes) {
  const data = body == null ? null : typeof body === "string" ? Buffer.from(body) : body;
  const h = {};
  for (const [k, v] of headers) h[k] = v;
  if (method !== "GET" && method !== "HEAD") h["content-length"] = String(data ? data.length : 0);
  const req = mod.request(url, { method, headers: h, agent });
  // An answer before the whole body was sent (an early S3 error): drop the rest, so the part's
  // buffer is not written later from a reused pool slot.
  x.onFinish = () => {
    if (!req.writableFinished) req.destroy();
  };
  const fail = (e) => x.fail(e?.code ?? e?.message ?? String(e));
  req.on("error", fail);
  req.on("response", (res) => {
    x.arm();
    const chunks = [];
    res.on("data", (c) => {
      x.arm();
      chunks.push(c);
    });
    res.on("end", () => {
      const get = (k) => {
        const v = res.headers[k];
        return Array.isArray(v) ? v.join(", ") : v;
      };
      x.answer(res.statusCode, get, Buffer.concat(chunks).toString("utf8"));
    });
    res.on("error", fail);
    res.on("close", () => {
      if (!res.complete) fail(new Error("the response was cut"));
    });
  });
  if (!data) {
    req.end();
  } else {
    let at = 0;
    const pump = () => {
      while (at < data.length && !x.settled) {
        const end = Math.min(at + WRITE_SLICE, data.length);
        const slice = data.subarray(at, end);
        at = end;
        const more = req.write(slice, (err) => {
          if (err || x.settled) return;
          x.arm();
          onBytes?.(x.tag, end);
        });
        if (!more) return void req.once("drain", pump);
      }
      if (!x.settled) req.end();
    };
    pump();
  }
  return () => req.destroy(new Error("aborted"));
}

function sendXhr(x, method, url, headers, body, onBytes) {
  const xhr = new XMLHttpRequest();
  xhr.open(method, url);
  for (const [k, v] of headers) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = (e) => {
    x.arm();
    onBytes?.(x.tag, e.loaded);
  };
  xhr.onprogress = () => x.arm();
  // getAllResponseHeaders lists only the headers CORS exposes (getResponseHeader would log a
  // console error for each of the others).
  xhr.onload = () => {
    const all = new Map();
    for (const line of xhr.getAllResponseHeaders().trim().split(/[\r\n]+/)) {
      const i = line.indexOf(":");
      if (i > 0) all.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
    }
    x.answer(xhr.status, (k) => all.get(k), xhr.responseText);
  };
  xhr.onerror = () => x.fail();
  xhr.onabort = () => x.fail();
  xhr.send(body);
  return () => xhr.abort();
}

// fetch gives no upload progress: the stall timer, armed once, covers the whole request.
function sendFetch(x, method, url, headers, body, dispatcher) {
  const ctrl = new AbortController();
  const init = { method, headers, body: body ?? undefined, signal: ctrl.signal };
  if (dispatcher) init.dispatcher = dispatcher;
  fetch(url, init)
    .then(async (r) => x.answer(r.status, (k) => r.headers.get(k), await r.text()))
    .catch((e) => x.fail(e?.cause?.code ?? e?.message ?? String(e)));
  return () => ctrl.abort();
}

/** Settles with the first of `promises` to settle (they never reject). */
export function firstOf(promises) {
  return Promise.race(promises);
}

/** A promise and its resolve function, for pause/resume. */
export function deferred() {
  let resolve;
  const promise = new Promise((r) => (resolve = r));
  return { promise, resolve };
}

export function newController() {
  return new AbortController();
}

export function abortController(c) {
  c.abort();
}

export function controllerSignal(c) {
  return c.signal;
}

/** Calls `fn` once when `signal` aborts (at once when it already has). */
export function onAbortSignal(signal, fn) {
  if (!signal) return;
  if (signal.aborted) queueMicrotask(fn);
  else signal.addEventListener("abort", () => fn(), { once: true });
}

/** `upload.cancel()` while the upload runs: the run ends with an `aborted` error once S3 and the API are cleaned up. */
export function settleCancel(done) {
  return done.then(
    () => false,
    (e) => {
      if (e?.code === "aborted") return true;
      throw e;
    },
  );
}

/**
 * The next `n` bytes of a stream input (fewer only at its end) as { bytes, last }. Reads only
 * what the part needs: chunks beyond it wait in `pending` for the next part.
 */
export async function readStreamPart(handle, n) {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    let chunk = handle.pending.shift();
    if (!chunk) {
      if (handle.done) break;
      const r = await handle.reader.read();
      if (r.done) {
        handle.done = true;
        break;
      }
      chunk = r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value);
    }
    const take = Math.min(chunk.length, n - at);
    out.set(chunk.subarray(0, take), at);
    at += take;
    if (take < chunk.length) handle.pending.unshift(chunk.subarray(take));
  }
  if (at === n && !handle.done && handle.pending.length === 0) {
    // Peek, so the last full part is marked last instead of being followed by an empty one.
    const r = await handle.reader.read();
    if (r.done) handle.done = true;
    else handle.pending.push(r.value instanceof Uint8Array ? r.value : new Uint8Array(r.value));
  }
  return { bytes: at === n ? out : out.subarray(0, at), last: handle.done && handle.pending.length === 0 };
}
