// A small static file server for the demo page and the page tests: no dependencies, correct MIME
// types (application/wasm matters for streaming instantiation), no path traversal.
import http from "node:http";
import fs from "node:fs";
import path from "node:path";

const MIME = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8", ".json": "application/json", ".wasm": "application/wasm", ".svg": "image/svg+xml",
  ".png": "image/png", ".map": "application/json", ".ts": "text/plain; charset=utf-8", ".txt": "text/plain; charset=utf-8",
};

// Hop-by-hop headers, and what fetch has already undone (it decompresses bodies).
const NOT_FORWARDED = new Set(["host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "content-encoding", "origin", "referer"]);

/** Forwards one request to `target` (same path and query) and streams the answer back. */
async function forward(req, res, target) {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !NOT_FORWARDED.has(k)));
  const chunks = [];
  for await (const c of req) chunks.push(c);
  try {
    const up = await fetch(new URL(req.url, target), {
      method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined, redirect: "manual",
    });
    const out = {};
    up.headers.forEach((v, k) => { if (!NOT_FORWARDED.has(k)) out[k] = v; });
    res.writeHead(up.status, out);
    if (up.body) for await (const c of up.body) res.write(c);
    res.end();
  } catch (e) {
    res.writeHead(502, { "content-type": "application/json" });
    res.end(JSON.stringify({ message: `proxy: ${target} did not answer (${e.cause?.code ?? e.message})` }));
  }
}

/**
 * Serves `mounts` (URL prefix -> directory, longest prefix wins) on 127.0.0.1.
 * `routes` maps exact paths to functions returning [status, contentType, body] for dynamic files.
 * `proxy` ({ prefix, target }) forwards requests under `prefix` to another origin.
 */
export function startStaticServer({ mounts, routes = {}, proxy, port = 0, host = "127.0.0.1" }) {
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, "http://localhost");
    const pathname = decodeURIComponent(url.pathname);
    if (proxy && pathname.startsWith(proxy.prefix)) return void forward(req, res, proxy.target);
    if (routes[pathname]) {
      const [status, type, body] = routes[pathname](req);
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      return res.end(body);
    }
    const prefix = prefixes.find((p) => pathname.startsWith(p));
    if (!prefix) return notFound(res);
    const base = path.resolve(mounts[prefix]);
    let file = path.resolve(base, "." + pathname.slice(prefix.length - 1));
    if (file !== base && !file.startsWith(base + path.sep)) return notFound(res);
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
    fs.readFile(file, (err, body) => {
      if (err) return notFound(res);
      res.writeHead(200, { "content-type": MIME[path.extname(file)] ?? "application/octet-stream", "cache-control": "no-store" });
      res.end(body);
    });
  });
  return new Promise((resolve) => {
    server.listen(port, host, () => {
      const { port: actual } = server.address();
      resolve({ url: `http://${host}:${actual}`, close: () => new Promise((r) => server.close(r)) });
    });
  });
}

function notFound(res) {
  res.writeHead(404, { "content-type": "text/plain" });
  res.end("not found");
}
