// The network and clock for the wasm core, in the JavaScript the host provides (fetch and
// setTimeout exist in browsers and Node 20). Rust decides what to send and how to retry; this
// file only moves bytes. Errors come back as { code, message } with code network|timeout|aborted.

/** Sends one request; resolves to { status, headers: [name, value][], body: Uint8Array }. */
export async function sendRequest(method, url, headers, body, timeoutMs, maxBodyBytes, signal, onRequest, redactedHeaders) {
  if (onRequest) {
    try {
      onRequest({ method, url: redactUrl(url), headers: Object.fromEntries(redactedHeaders) });
    } catch (e) {
      // A debugging hook must not break the request.
    }
  }
  if (signal?.aborted) throw failure("aborted", `${method} ${describeUrl(url)}: aborted before it was sent`);
  const signals = [signal, timeoutMs ? AbortSignal.timeout(timeoutMs) : undefined].filter(Boolean);
  const combined = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
  const init = { method, headers, body: body ?? undefined, signal: combined, redirect: "follow" };
  const dispatcher = nodeProxyDispatcher(url);
  if (dispatcher) init.dispatcher = dispatcher;
  let response;
  let bytes;
  try {
    response = await fetch(url, init);
    bytes = await readBody(response, maxBodyBytes, `${method} ${describeUrl(url)}`);
  } catch (e) {
    if (isFailure(e)) throw e;
    if (signal?.aborted) throw failure("aborted", `${method} ${describeUrl(url)}: aborted`);
    if (combined?.aborted) throw failure("timeout", `${method} ${describeUrl(url)}: no answer within ${timeoutMs} ms`);
    const cause = e?.cause?.code;
    const f = failure("network", `${method} ${describeUrl(url)}: network error (${cause ?? e?.message ?? e})`);
    // Node names the failures where no byte of the request left; browsers never say, so there
    // every network failure counts as one after sending.
    if (response === undefined && NOT_SENT.has(cause)) f.unsent = true;
    throw f;
  }
  return { status: response.status, headers: [...response.headers.entries()], body: bytes };
}

/**
 * The body as bytes, refused once it passes `limit` bytes (the decompressed stream is counted
 * as it arrives, so neither an endless body nor a compression bomb is held in memory).
 */
async function readBody(response, limit, what) {
  if (!limit) return new Uint8Array(await response.arrayBuffer());
  if (!response.body) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => {});
      throw failure("invalid_response", `${what}: the answer is larger than maxResponseBytes (${limit} bytes); it was not read further`);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Node's (undici's) causes of a fetch that failed before sending the request. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN"]);

/** Resolves after `ms` milliseconds; rejects with { code: "aborted" } when `signal` fires. */
export function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(failure("aborted", "aborted while waiting to retry"));
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(failure("aborted", "aborted while waiting to retry"));
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

export function nowMs() {
  return Date.now();
}

/** Node only: credentials and base URL from the environment and ~/.onecodex. */
export function nodeDefaults() {
  const proc = globalThis.process;
  if (!proc?.versions?.node || typeof proc.getBuiltinModule !== "function") return {};
  const env = proc.env ?? {};
  const out = {
    envApiKey: env.ONE_CODEX_API_KEY || undefined,
    envBearerToken: env.ONE_CODEX_BEARER_TOKEN || undefined,
    envBaseUrl: env.ONE_CODEX_API_BASE || undefined,
  };
  try {
    const fs = proc.getBuiltinModule("fs");
    const os = proc.getBuiltinModule("os");
    const path = proc.getBuiltinModule("path");
    const text = fs.readFileSync(path.join(os.homedir(), ".onecodex"), "utf8");
    const key = JSON.parse(text)?.api_key;
    if (typeof key === "string" && key) out.fileApiKey = key;
  } catch {
    // No credentials file (or an unreadable one): nothing to add.
  }
  return out;
}

let proxyAgent;

/** Node: the proxy dispatcher for `url` when HTTP(S)_PROXY is set (downloads use it too), else undefined. */
export function proxyDispatcherFor(url) {
  return nodeProxyDispatcher(url);
}

/** Node's fetch ignores HTTPS_PROXY/HTTP_PROXY; undici's EnvHttpProxyAgent honours them (and NO_PROXY). */
function nodeProxyDispatcher(url) {
  const proc = globalThis.process;
  const env = proc?.env;
  if (!proc?.versions?.node || !env) return undefined;
  const https = url.startsWith("https:");
  const proxy = https ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
  if (!proxy) return undefined;
  if (!proxyAgent) {
    let undici;
    try {
      const { createRequire } = proc.getBuiltinModule("module");
      undici = createRequire(proc.cwd() + "/")("undici");
    } catch {
      throw failure("network", `${https ? "HTTPS_PROXY" : "HTTP_PROXY"} is set, but Node's fetch needs the 'undici' package to use a proxy: npm install undici`);
    }
    proxyAgent = new undici.EnvHttpProxyAgent();
  }
  return proxyAgent;
}

/**
 * A failure as the Rust side reads it: { code, message }, `code` the name of an error code of the
 * client (network, timeout, aborted, invalid_file, …); a name it does not know becomes `internal`.
 * Also used by download.js and upload.js.
 */
export function failure(code, message) {
  return { code, message };
}

/** True for a value made by `failure` (not a platform Error, whose `code` is e.g. "ENOENT"). */
export function isFailure(e) {
  return e !== null && typeof e === "object" && !(e instanceof Error) && typeof e.code === "string" && typeof e.message === "string";
}

/** Origin and path only: query strings of pre-signed URLs carry signatures. */
export function describeUrl(url) {
  try {
    const u = new URL(url);
    return u.origin + u.pathname;
  } catch {
    return "(invalid URL)";
  }
}

function redactUrl(url) {
  try {
    const u = new URL(url);
    for (const k of [...u.searchParams.keys()]) {
      // S3 (X-Amz-Signature, X-Amz-Credential, X-Amz-Security-Token) and CloudFront (Signature,
      // Policy, Key-Pair-Id) signed URLs.
      if (/signature|credential|security-token|^policy$|^key-pair-id$/i.test(k)) u.searchParams.set(k, "<redacted>");
    }
    return u.toString();
  } catch {
    return url;
  }
}
