// A hostile API server (a small fake on 127.0.0.1): an endless body, a gzip bomb and a listing
// larger than the limit end as invalid_response errors while the body streams in, with bounded
// memory; the limit is the maxResponseBytes option (default 256 MiB).
import test from "node:test";
import assert from "node:assert/strict";
import http from "node:http";
import zlib from "node:zlib";
import { OneCodex, isOneCodexError } from "onecodex-wasm";

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

const MiB = 1 << 20;
const zeros = Buffer.alloc(MiB);

/** Writes `chunk` until the client goes away (or `limitBytes` were sent); counts what was sent. */
function pour(res, chunk, sent, limitBytes = Infinity) {
  const step = () => {
    while (sent.bytes < limitBytes) {
      sent.bytes += chunk.length;
      if (!res.write(chunk)) return res.once("drain", step);
    }
    res.end();
  };
  res.on("close", () => { sent.closed = true; });
  step();
}

async function fakeApi(t) {
  const sent = { bytes: 0, closed: false };
  const server = http.createServer((req, res) => {
    const path = req.url.split("?")[0];
    if (path === "/api/v1/samples") {
      // An endless body of JSON-looking bytes.
      res.writeHead(200, { "content-type": "application/json" });
      res.write("[");
      return pour(res, Buffer.from(`{"$uri": "/api/v1/samples/x"},`.repeat(30_000)), sent);
    }
    if (path === "/api/v1/projects") {
      // 1 GiB of zeros gzipped to about 1 MB: a bomb once fetch decompresses it.
      res.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip" });
      const gz = zlib.createGzip({ level: 9 });
      gz.pipe(res);
      let n = 0;
      const feed = () => {
        while (n < 1024) {
          n++;
          if (!gz.write(zeros)) return gz.once("drain", feed);
        }
        gz.end();
      };
      res.on("close", () => { sent.closed = true; gz.destroy(); });
      return feed();
    }
    if (path === "/api/v1/tags") {
      // A valid page of 3 MB.
      const page = JSON.stringify(Array.from({ length: 20_000 }, (_, i) => ({ $uri: `/api/v1/tags/t${i}`, name: `tag ${i}`.padEnd(120, ".") })));
      res.writeHead(200, { "content-type": "application/json", "x-total-count": "20000" });
      return res.end(page);
    }
    res.writeHead(404, { "content-type": "application/json" }).end('{"message": "no"}');
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => { server.closeAllConnections(); server.close(r); }));
  return { url: `http://127.0.0.1:${server.address().port}`, sent };
}

const rssGrowth = async (f) => {
  globalThis.gc?.();
  const before = process.memoryUsage().rss;
  let peak = before;
  const timer = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
  try {
    await f();
  } finally {
    clearInterval(timer);
  }
  return (Math.max(peak, process.memoryUsage().rss) - before) / MiB;
};

test("a hostile API server cannot exhaust memory", async (t) => {
  const api = await fakeApi(t);
  const small = new OneCodex({ apiKey: "k", baseUrl: api.url, maxResponseBytes: MiB, retry: { retries: 0 } });

  await t.test("an endless body stops at maxResponseBytes", async () => {
    const grew = await rssGrowth(() => rejectsWith(small.samples.where(), "invalid_response", (e) => /larger than maxResponseBytes \(1048576 bytes\)/.test(e.message)));
    assert.ok(grew < 150, `RSS grew ${grew.toFixed(0)} MB`);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(api.sent.closed, "the connection was closed, not drained");
  });

  await t.test("a gzip bomb stops at maxResponseBytes of decompressed bytes", async () => {
    const grew = await rssGrowth(() => rejectsWith(small.projects.where(), "invalid_response"));
    assert.ok(grew < 150, `RSS grew ${grew.toFixed(0)} MB`);
  });

  await t.test("a valid answer above the limit is refused; under the default it is read", async () => {
    await rejectsWith(small.tags.where(null, { limit: 5 }), "invalid_response");
    const roomy = new OneCodex({ apiKey: "k", baseUrl: api.url, retry: { retries: 0 } });
    assert.equal((await roomy.tags.where(null, { limit: 5 })).length, 5);
  });

  await t.test("the default limit (256 MiB) holds against an endless body", async () => {
    const roomy = new OneCodex({ apiKey: "k", baseUrl: api.url, retry: { retries: 0 } });
    const grew = await rssGrowth(() => rejectsWith(roomy.samples.where(), "invalid_response", (e) => /268435456 bytes/.test(e.message)));
    assert.ok(grew < 1024, `RSS grew ${grew.toFixed(0)} MB`);
  });

  await t.test("maxResponseBytes is checked", () => {
    for (const bad of [0, -1, 1.5, NaN, Infinity, "1", 2 ** 60]) {
      assert.throws(() => new OneCodex({ apiKey: "k", baseUrl: api.url, maxResponseBytes: bad }), (e) => isOneCodexError(e) && e.code === "invalid_argument", String(bad));
    }
  });
});

test("onRequest sees signed URLs with their signatures redacted (S3 and CloudFront)", async (t) => {
  const { sendRequest } = await import("../../src/js/transport.js");
  const server = http.createServer((req, res) => res.writeHead(200, { "content-type": "text/plain" }).end("ok"));
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  t.after(() => new Promise((r) => server.close(r)));
  const base = `http://127.0.0.1:${server.address().port}`;
  const seen = [];
  const query = "Expires=1700000000&Policy=eyJTdGF0ZW1lbnQiOltd&Signature=abc~def&Key-Pair-Id=K2JCJMDEHXQW5F"
    + "&X-Amz-Credential=AKIA%2F20260101&X-Amz-Signature=f00d&X-Amz-Security-Token=tok&keep=1";
  const r = await sendRequest("GET", `${base}/r.json?${query}`, [], null, undefined, 1024, undefined, (x) => seen.push(x), []);
  assert.equal(r.status, 200);
  const url = new URL(seen[0].url);
  for (const k of ["Policy", "Signature", "Key-Pair-Id", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-Security-Token"]) {
    assert.equal(url.searchParams.get(k), "<redacted>", k);
  }
  assert.deepEqual([url.searchParams.get("Expires"), url.searchParams.get("keep")], ["1700000000", "1"], "the rest is kept");
});
