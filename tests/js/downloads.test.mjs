// Downloads against the local server (API_SPEC §7): the pre-signed link without API auth, its
// retries and Range resumption, the status checks, the §7.1 errors, files on disk, Blobs and
// WritableStreams, abort. Every fault is shown to have fired by its hit counter.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

const sha256 = (bytes) => crypto.createHash("sha256").update(bytes).digest("hex");
// Fast retries in tests; the default 0/4/8/16/32 s schedule is tested natively (core/src/download.rs).
const fast = { backoffMs: [0, 20, 40] };

test("downloads against the local server", async (t) => {
  const srv = await withServer(t);
  const requests = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, onRequest: (r) => requests.push(r) });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-dl-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const auth = { authorization: `Basic ${Buffer.from(`${srv.apiKey}:`).toString("base64")}` };

  // A sample of 1–4 MB: big enough for several chunks, small enough to be quick.
  const [sample] = await ocx.samples.where({ size: { $gte: 1_000_000, $lte: 4_000_000 } }, { limit: 1 });
  assert.ok(sample, "the seeded data has a sample of 1–4 MB");
  const sid = idOf(sample);
  const signedPath = `/__signed/download/samples/${sid}`;
  // The original bytes, by a bare fetch of a fresh link.
  const link = (await (await fetch(`${srv.api}/api/v1/samples/${sid}/download_uri`, { method: "POST", headers: auth })).json()).download_uri;
  const original = new Uint8Array(await (await fetch(link)).arrayBuffer());
  assert.equal(original.length, sample.size);

  await t.test("to a Blob by default, with progress and no API auth on the link", async () => {
    const progress = [];
    const r = await ocx.samples.download(sid, { onProgress: (p) => progress.push(p) });
    assert.equal(r.filename, sample.filename);
    assert.equal(r.bytes, sample.size);
    assert.ok(r.blob instanceof Blob);
    assert.equal(sha256(new Uint8Array(await r.blob.arrayBuffer())), sha256(original));
    assert.deepEqual([r.attempts, r.resumed], [1, 0]);
    assert.ok(progress.length > 1, "progress reported per chunk");
    assert.deepEqual(progress.at(-1), { bytes: sample.size, total: sample.size });
    // onRequest sees API requests only: the object, then download_uri. The link itself never
    // goes through the authenticated transport.
    const mine = requests.filter((q) => q.url.includes(sid));
    assert.ok(mine.some((q) => q.url.endsWith(`/samples/${sid}/download_uri`) && q.method === "POST"));
    assert.ok(!mine.some((q) => q.url.includes("/__signed/")));
  });

  await t.test("to a file: temporary name, renamed at the end; never over an existing file", async () => {
    const target = path.join(dir, "a.fastq");
    const r = await ocx.samples.download(sid, { path: target });
    assert.equal(r.path, target);
    assert.equal(sha256(fs.readFileSync(target)), sha256(original));
    assert.deepEqual(fs.readdirSync(dir), ["a.fastq"], "no temporary file left");
    fs.writeFileSync(target, "keep me");
    await rejectsWith(ocx.samples.download(sid, { path: target }), "file_exists", (e) => e.message.includes("overwrite: true"));
    assert.equal(fs.readFileSync(target, "utf8"), "keep me");
    await ocx.samples.download(sid, { path: target, overwrite: true });
    assert.equal(sha256(fs.readFileSync(target)), sha256(original));
    // A folder means the server's file name inside it.
    const r2 = await ocx.samples.download(sid, { path: dir });
    assert.equal(r2.path, path.join(dir, sample.filename));
    assert.equal(fs.statSync(r2.path).size, sample.size);
  });

  await t.test("into a WritableStream", async () => {
    const chunks = [];
    const writable = new WritableStream({ write: (c) => void chunks.push(c) });
    const r = await ocx.samples.download(sample, { writable });
    assert.equal(r.blob, undefined);
    assert.equal(sha256(Buffer.concat(chunks)), sha256(original));
  });

  await t.test("404 then 200: the link is retried (the object may still be landing)", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: signedPath, respond: { status: 404, body: "<Error><Code>NoSuchKey</Code></Error>" }, times: 1 });
    const r = await ocx.samples.download(sid, { retry: fast });
    assert.equal(await srv.faultHits(id), 1);
    assert.equal(r.attempts, 2);
    assert.equal(sha256(new Uint8Array(await r.blob.arrayBuffer())), sha256(original), "the 404 body was not saved");
  });

  await t.test("503s are retried; exhausted retries fail and never save the error page", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: signedPath, respond: { status: 503 }, times: 2 });
    const r = await ocx.samples.download(sid, { retry: fast });
    assert.equal(await srv.faultHits(id), 2);
    assert.equal(r.attempts, 3);
    const target = path.join(dir, "never.fastq");
    const id2 = await srv.addFault({ target: "api", method: "GET", path: signedPath, respond: { status: 503 }, times: 3 });
    await rejectsWith(ocx.samples.download(sid, { path: target, retry: { retries: 2, backoffMs: [0, 10] } }), "server",
      (e) => e.status === 503 && e.message.includes("after 3 attempts") && !e.message.includes("signature="));
    assert.equal(await srv.faultHits(id2), 3);
    assert.ok(!fs.existsSync(target), "nothing written");
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith(".part")), "temporary file removed");
  });

  await t.test("a connection dropped mid-body continues with a Range request", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: signedPath, drop_after_bytes: 300_000, times: 2 });
    const target = path.join(dir, "resumed.fastq");
    const progress = [];
    const r = await ocx.samples.download(sid, { path: target, retry: fast, onProgress: (p) => progress.push(p.bytes) });
    assert.equal(await srv.faultHits(id), 2, "both drops fired");
    assert.ok(r.resumed >= 1, `resumed ${r.resumed} times`);
    assert.equal(r.bytes, sample.size);
    assert.equal(sha256(fs.readFileSync(target)), sha256(original), "the bytes equal the original's");
    for (let i = 1; i < progress.length; i++) assert.ok(progress[i] > progress[i - 1], "progress never goes back");
    // The continuation really was partial content (the server honours Range, as S3 does).
    const part = await fetch(link, { headers: { range: "bytes=300000-" } });
    assert.equal(part.status, 206);
    assert.equal(part.headers.get("content-range"), `bytes 300000-${sample.size - 1}/${sample.size}`);
    assert.equal(sha256(new Uint8Array(await part.arrayBuffer())), sha256(original.subarray(300000)));
  });

  await t.test("a link that expires mid-download is renewed and the Range goes on", async () => {
    const drop = await srv.addFault({ target: "api", method: "GET", path: signedPath, drop_after_bytes: 250_000, times: 1 });
    const expired = await srv.addFault({ target: "api", method: "GET", path: signedPath, respond: { status: 403, body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>" }, times: 1 });
    const before = requests.filter((q) => q.url.endsWith(`/samples/${sid}/download_uri`)).length;
    const r = await ocx.samples.download(sid, { retry: fast });
    assert.deepEqual([await srv.faultHits(drop), await srv.faultHits(expired)], [1, 1]);
    assert.equal(requests.filter((q) => q.url.endsWith(`/samples/${sid}/download_uri`)).length - before, 2, "a second download_uri for a fresh link");
    assert.deepEqual([r.attempts, r.resumed, r.renewals], [3, 2, 1]);
    assert.equal(sha256(new Uint8Array(await r.blob.arrayBuffer())), sha256(original));
  });

  await t.test("401, 402, 403 on download_uri each have their code and advice", async () => {
    const cases = [
      [401, "unauthorized", /must be logged in/],
      [402, "payment_required", /premium account or a notebook environment/],
      [403, "forbidden", /not authorized to download sample/],
      [500, "server", /failed \(HTTP 500\)/],
    ];
    for (const [status, code, text] of cases) {
      const id = await srv.addFault({ target: "api", method: "POST", path: `/api/v1/samples/${sid}/download_uri`, respond: { status }, times: 1 });
      await rejectsWith(ocx.samples.download(sid), code, (e) => e.status === status && text.test(e.message));
      assert.equal(await srv.faultHits(id), 1, `${status} fired`);
    }
    const info = await srv.info();
    await rejectsWith(ocx.samples.download(info.outsider_private_sample), "forbidden");
  });

  await t.test("a refused link is forbidden and says links expire", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: signedPath, respond: { status: 403, body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>" }, times: 1 });
    await rejectsWith(ocx.samples.download(sid, { retry: fast }), "forbidden", (e) => /AccessDenied: Request has expired/.test(e.message) && /links expire/.test(e.message));
    assert.equal(await srv.faultHits(id), 1);
  });

  await t.test("abort stops the body and leaves nothing behind", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: signedPath, slow_body: { bytes_per_sec: 200_000 }, times: 1 });
    const target = path.join(dir, "aborted.fastq");
    const ac = new AbortController();
    const p = ocx.samples.download(sid, { path: target, signal: ac.signal, onProgress: () => ac.abort() });
    await rejectsWith(p, "aborted");
    assert.equal(await srv.faultHits(id), 1);
    assert.ok(!fs.existsSync(target));
    assert.ok(!fs.readdirSync(dir).some((f) => f.endsWith(".part")), "temporary file removed");
  });

  await t.test("resume: a failed download keeps its .part file, and the next one continues it", async () => {
    const target = path.join(dir, "kept-partial.fastq");
    const part = `${target}.part`;
    const noRetry = { retry: { retries: 0 } };
    // The connection drops after 300 kB and retries are off: the download fails, the bytes stay.
    const drop = await srv.addFault({ target: "api", method: "GET", path: signedPath, drop_after_bytes: 300_000, times: 1 });
    await rejectsWith(ocx.samples.download(sid, { path: target, resume: true, ...noRetry }), "network");
    assert.equal(await srv.faultHits(drop), 1);
    assert.ok(!fs.existsSync(target));
    const kept = fs.statSync(part).size;
    assert.ok(kept >= 300_000 && kept < sample.size, `kept ${kept} bytes`);
    const identity = JSON.parse(fs.readFileSync(`${part}.json`, "utf8"));
    assert.equal(identity.total, sample.size);
    assert.match(identity.etag, /^"?[0-9a-f]{32}"?$/, "the object's ETag, so a changed object is not spliced");
    // The next download asks only for the rest.
    const seen = [];
    const r = await ocx.samples.download(sid, { path: target, resume: true, onProgress: (p) => seen.push(p.bytes) });
    assert.deepEqual([r.bytes, r.attempts, r.resumed, r.continued], [sample.size, 1, 1, kept]);
    assert.ok(seen[0] > kept, "progress goes on from the bytes kept");
    assert.equal(sha256(fs.readFileSync(target)), sha256(original));
    assert.ok(!fs.existsSync(part) && !fs.existsSync(`${part}.json`), "partial file and its identity removed");
    fs.rmSync(target);

    // A partial file whose recorded ETag is not the object's is dropped: the download starts over.
    fs.writeFileSync(part, Buffer.alloc(500_000, 0x41));
    fs.writeFileSync(`${part}.json`, JSON.stringify({ etag: '"0123456789abcdef0123456789abcdef"', total: sample.size }));
    const over = await ocx.samples.download(sid, { path: target, resume: true });
    assert.deepEqual([over.bytes, over.continued], [sample.size, 0]);
    assert.equal(sha256(fs.readFileSync(target)), sha256(original));
    // And one without an identity is not trusted at all.
    fs.rmSync(target);
    fs.writeFileSync(part, Buffer.alloc(1000, 0x42));
    const fresh = await ocx.samples.download(sid, { path: target, resume: true });
    assert.deepEqual([fresh.bytes, fresh.resumed, fresh.continued], [sample.size, 0, 0]);
    assert.equal(sha256(fs.readFileSync(target)), sha256(original));
    // An existing file is still never replaced, and its .part is left alone.
    fs.writeFileSync(part, "x");
    await rejectsWith(ocx.samples.download(sid, { path: target, resume: true }), "file_exists");
    assert.equal(fs.readFileSync(part, "utf8"), "x");
    fs.rmSync(part);
  });

  await t.test("a sample awaiting data is refused before any request", async () => {
    const before = requests.length;
    const pending = { $uri: "/api/v1/samples/0123456789abcdef", visibility: "awaiting data", filename: null };
    assert.throws(() => ocx.samples.download(pending), (e) => e.code === "invalid_argument" && /awaiting data/.test(e.message));
    assert.equal(requests.length, before, "no request at all");
    // By id: the object is read, then refused before download_uri.
    const { sample_id } = await (await fetch(`${srv.api}/api/v1/samples/preupload`, { method: "POST", headers: { ...auth, "content-type": "application/json" }, body: "{}" })).json();
    const at = requests.length;
    await rejectsWith(ocx.samples.download(sample_id), "invalid_argument", (e) => /not finished processing/.test(e.message));
    assert.ok(!requests.slice(at).some((q) => q.url.endsWith("/download_uri")));
  });

  await t.test("bad options throw before any request", () => {
    const before = requests.length;
    for (const bad of [
      { path: "x", writable: new WritableStream() },
      { overwrite: true },
      { resume: true },
      { writable: new WritableStream(), resume: false },
      { path: "x", resume: "yes" },
      { path: "" },
      { onProgress: 3 },
      { retry: { backoffMs: [] } },
      { retry: { statuses: [200] } },
      { bogus: 1 },
    ]) {
      assert.throws(() => ocx.samples.download(sid, bad), (e) => e.code === "invalid_argument", JSON.stringify(bad));
    }
    assert.throws(() => ocx.samples.download("a/../b"), (e) => e.code === "invalid_argument");
    assert.equal(requests.length, before);
  });

  await t.test("documents, assets and the experimental assemblies and annotation sets", async () => {
    const [doc] = await ocx.documents.where(null, { limit: 1 });
    const d = await ocx.documents.download(idOf(doc));
    assert.equal(d.bytes, doc.size);
    assert.equal(d.filename, doc.filename);
    const [asset] = await ocx.assets.where(null, { limit: 1 });
    assert.equal((await ocx.assets.download(idOf(asset))).bytes, asset.size);
    const [assembly] = await ocx.assemblies.where(null, { limit: 1 });
    const a = await ocx.assemblies.download(idOf(assembly));
    assert.equal(a.bytes, assembly.size);
    assert.ok(a.filename.length > 0, "a name even when the server gives none (C.8)");
    const [set] = await ocx.annotationSets.where(null, { limit: 1 });
    const s = await ocx.annotationSets.download(idOf(set));
    assert.equal(s.filename, `annotation_set_${idOf(set)}.gbk`);
    assert.match(await s.blob.text(), /^LOCUS/);
    const csv = await ocx.annotationSets.downloadCsv(idOf(set));
    assert.equal(csv.filename, `annotation_set_${idOf(set)}.csv`);
    assert.match(await csv.blob.text(), /^locus_tag,start,end,product\n/);
  });
});
