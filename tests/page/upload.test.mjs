// Uploads from a browser page (issue 5): a File built in the page (read with Blob.slice, sent with
// XHR for byte-granular progress) to the local server's S3 on another origin, single PUT and
// multipart, with progress reaching 100% and the stored object equal to the input.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withServer } from "../js/support.mjs";
import { openPage, packagePage } from "./browser.mjs";

const BUCKET = "onecodex-multipart-uploads-encrypted";

test("uploads from a browser page: File and Blob, XHR progress to 100%", async (t) => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-up-"));
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "0", "--data", data]);
  const { browser, url } = await packagePage(t);
  t.after(() => fs.rmSync(data, { recursive: true, force: true }));
  const fault = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 503 }, times: 1 });

  const { page, problems } = await openPage(browser, url);
  const result = await page.evaluate(async ({ api, s3, key }) => {
    const { OneCodex } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
    const make = (n, seed) => {
      const b = new Uint8Array(n);
      let x = seed;
      for (let i = 0; i < n; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
      return b;
    };
    const hex = async (bytes) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", bytes))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const out = {};
    // Small: one PUT.
    const small = make(300_000, 1);
    const up1 = ocx.samples.upload(new File([small], "page_small.fastq"));
    out.small = { filename: (await up1.done).filename, key: up1.state().files[0].key, sha: await hex(small) };
    // Multipart: 12 MiB in 5 MiB parts; part 2 answers 503 once.
    const big = make(12 * 1024 * 1024, 2);
    const events = [];
    const up2 = ocx.samples.upload(new File([big], "page_big_R1.fastq"), { partSize: 5 * 1024 * 1024, retryDelaysMs: [0, 50], onProgress: (p) => events.push(p) });
    const sample = await up2.done;
    const uploading = events.filter((e) => e.phase === "uploading");
    out.big = {
      filename: sample.filename, key: up2.state().files[0].key, sha: await hex(big),
      last: events[events.length - 1], maxLoaded: Math.max(...events.map((e) => e.loaded)), total: big.length,
      partial: uploading.some((e) => e.loaded > 0 && e.loaded % (5 * 1024 * 1024) !== 0),
    };
    // A Blob without a name is refused before any request.
    try { await ocx.samples.upload(new Blob([small])).done; } catch (e) { out.noName = e.code; }
    return out;
  }, { api: srv.api, s3: srv.s3, key: srv.apiKey });

  const object = (k) => crypto.createHash("sha256").update(fs.readFileSync(path.join(data, "s3", BUCKET, k))).digest("hex");
  assert.equal(result.small.filename, "page_small.fastq");
  assert.equal(object(result.small.key), result.small.sha);
  assert.equal(result.big.filename, "page_big_R1.fastq");
  assert.equal(object(result.big.key), result.big.sha);
  assert.equal(result.big.maxLoaded, result.big.total, "progress reaches 100%");
  assert.equal(result.big.last.phase, "done");
  assert.ok(result.big.partial, "byte-granular progress from XHR");
  assert.equal(await srv.faultHits(fault), 1);
  assert.equal(result.noName, "invalid_file");
  assert.deepEqual(problems.filter((p) => !/status of 503/.test(p)), []);
});

test("browser uploads: waiting while offline, and resuming after a page reload", async (t) => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-up-"));
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "0", "--data", data]);
  const { browser, url } = await packagePage(t, { head: `<script>
  // The same bytes, name and date in every page load, as a user picking the same file again.
  window.sameFile = (mib, seed) => {
    const b = new Uint8Array(mib * 1024 * 1024);
    let x = seed;
    for (let i = 0; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
    return new File([b], "reload_R1.fastq", { lastModified: 1700000000000 });
  };
</script>` });
  t.after(() => fs.rmSync(data, { recursive: true, force: true }));
  const { page, problems } = await openPage(browser, url);
  const args = { api: srv.api, s3: srv.s3, key: srv.apiKey };

  await t.test("offline: the upload waits and goes on when the browser is back online", async () => {
    const slow = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 300 } });
    await page.evaluate(async ({ api, s3, key }) => {
      const { OneCodex } = await import("onecodex-wasm");
      const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
      window.events = [];
      window.up = ocx.samples.upload(window.sameFile(16, 5), { partSize: 5 * 1024 * 1024, concurrency: 1, retryDelaysMs: [], onStateChange: (s) => window.events.push(s.files[0].parts.length) });
      window.result = window.up.done.then((s) => s.filename, (e) => `error ${e.code}: ${e.message}`);
      while (!window.events.some((n) => n >= 1)) await new Promise((r) => setTimeout(r, 10));
    }, args);
    await page.context().setOffline(true);
    await new Promise((r) => setTimeout(r, 1500));
    await page.context().setOffline(false);
    // With no retries allowed, only waiting while offline (not counting failures) lets it finish.
    assert.equal(await page.evaluate(() => window.result), "reload_R1.fastq");
    assert.ok((await srv.faultHits(slow)) >= 4);
    await srv.clearFaults();
  });

  await t.test("resume after a reload: the same file picked again, only missing parts sent", async () => {
    const fail = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 3, respond: { status: 500 }, times: 1 });
    const first = await page.evaluate(async ({ api, s3, key }) => {
      const { OneCodex } = await import("onecodex-wasm");
      const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
      const up = ocx.samples.upload(window.sameFile(12, 7), { partSize: 5 * 1024 * 1024, concurrency: 1, retryDelaysMs: [] });
      try { await up.done; } catch (e) { localStorage.setItem("upload", JSON.stringify(up.state())); return e.code; }
      return "finished";
    }, args);
    assert.ok(["s3_error", "network"].includes(first), first);
    assert.equal(await srv.faultHits(fail), 1);
    const parts = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 0 } });
    await page.reload();
    const after = await page.evaluate(async ({ api, s3, key }) => {
      const { OneCodex } = await import("onecodex-wasm");
      const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
      const state = JSON.parse(localStorage.getItem("upload"));
      const done = state.files[0].parts.length;
      const other = new File([new Uint8Array(12 * 1024 * 1024)], "reload_R1.fastq", { lastModified: 1700000000000 });
      let refused;
      try { await ocx.samples.resumeUpload(state, other).done; } catch (e) { refused = e.code; }
      const sample = await ocx.samples.resumeUpload(state, window.sameFile(12, 7)).done;
      return { done, refused, filename: sample.filename, size: sample.size };
    }, args);
    assert.equal(after.refused, "invalid_file", "a different file is refused");
    assert.equal(after.filename, "reload_R1.fastq");
    assert.equal(after.size, 12 * 1024 * 1024);
    assert.equal(await srv.faultHits(parts), 3 - after.done, "only the missing parts are sent after the reload");
  });
  assert.deepEqual(problems.filter((p) => !/status of 500|ERR_INTERNET_DISCONNECTED|net::/.test(p)), []);
});

test("browser uploads at the issue's sizes: a 64 MiB File, a pair, lane files as one, a document and an asset", async (t) => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-up-"));
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "0", "--data", data]);
  const { browser, url } = await packagePage(t);
  t.after(() => fs.rmSync(data, { recursive: true, force: true }));
  const puts = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 0 } });
  const callbacks = await srv.addFault({ target: "api", path: "/api/import_file_from_s3", latency: { ms: 0 } });
  const { page, problems } = await openPage(browser, url);
  const r = await page.evaluate(async ({ api, s3, key }) => {
    const { OneCodex, pairFiles } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api, s3Endpoint: s3 });
    const MiB = 1024 * 1024;
    const make = (n, seed) => {
      const b = new Uint8Array(n);
      const w = new Uint32Array(b.buffer, 0, n >> 2);
      let x = seed;
      for (let i = 0; i < w.length; i++) { x = (x * 1103515245 + 12345) >>> 0; w[i] = x; }
      return b;
    };
    const hex = async (blob) => [...new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()))].map((b) => b.toString(16).padStart(2, "0")).join("");
    const keys = (up) => up.state().files.map((f) => ({ role: f.role, key: f.key, parts: f.parts.length }));
    const out = {};

    // 64 MiB with the default part size (10 MiB: 7 parts) and concurrency, progress from XHR.
    const bigFile = new File([make(64 * MiB, 11)], "page_64_R1.fastq");
    const events = [];
    const up = ocx.samples.upload(bigFile, { onProgress: (p) => events.push(p) });
    const sample = await up.done;
    const loaded = events.filter((e) => e.phase === "uploading").map((e) => e.loaded);
    out.big = {
      filename: sample.filename, size: sample.size, files: keys(up), sha: await hex(bigFile), total: bigFile.size,
      maxLoaded: Math.max(...events.map((e) => e.loaded)), last: events[events.length - 1].phase,
      partial: loaded.some((l) => l > 0 && l % (10 * MiB) !== 0), partsTotal: events[events.length - 1].partsTotal,
    };

    // A pair found by pairFiles, R2 sent first, one callback; 12 MiB each in 5 MiB parts.
    const r1 = new File([make(12 * MiB + 5, 12)], "pp_S1_R1_001.fastq");
    const r2 = new File([make(12 * MiB + 7, 13)], "pp_S1_R2_001.fastq");
    const { pairs } = pairFiles([r2, r1]);
    const pair = ocx.samples.upload([pairs[0].r1[0], pairs[0].r2[0]], { partSize: 5 * MiB });
    out.pair = { filename: (await pair.done).filename, files: keys(pair), r1: await hex(r1), r2: await hex(r2) };

    // Lane files of one read: one file, in lane order, a part spanning the two lanes (a Blob of Blobs).
    const l1 = new File([make(6 * MiB + 3, 14)], "ln_S1_L001_R1_001.fastq");
    const l2 = new File([make(5 * MiB + 1, 15)], "ln_S1_L002_R1_001.fastq");
    const lane = ocx.samples.upload([[l1, l2]], { partSize: 5 * MiB });
    out.lanes = { filename: (await lane.done).filename, files: keys(lane), sha: await hex(new Blob([l1, l2])) };

    // A document and an asset.
    const docFile = new File([make(100_000, 16)], "notes.pdf");
    const doc = ocx.documents.upload(docFile);
    out.doc = { filename: (await doc.done).filename, files: keys(doc), sha: await hex(docFile) };
    const asset = ocx.assets.upload(new File([make(50_000, 17)], "logo.png"), { name: "page asset" });
    out.asset = { name: (await asset.done).name };
    return out;
  }, { api: srv.api, s3: srv.s3, key: srv.apiKey });

  const object = (k) => crypto.createHash("sha256").update(fs.readFileSync(path.join(data, "s3", BUCKET, k))).digest("hex");
  assert.equal(r.big.filename, "page_64_R1.fastq");
  assert.equal(r.big.size, 64 * 1024 * 1024);
  assert.equal(r.big.partsTotal, 7, "default 10 MiB parts");
  assert.equal(r.big.files[0].parts, 7);
  assert.equal(object(r.big.files[0].key), r.big.sha, "the 64 MiB object equals the input");
  assert.equal(r.big.maxLoaded, r.big.total, "progress reaches 100%");
  assert.ok(r.big.partial, "byte-granular progress (XHR)");
  assert.equal(r.big.last, "done");

  assert.equal(r.pair.filename, "pp_S1_R1_001.fastq");
  assert.deepEqual(r.pair.files.map((f) => f.role), ["r2", "r1"], "R2 first");
  assert.equal(object(r.pair.files[0].key), r.pair.r2);
  assert.equal(object(r.pair.files[1].key), r.pair.r1);

  assert.equal(r.lanes.filename, "ln_S1_R1_001.fastq");
  assert.equal(r.lanes.files[0].parts, 3, "part 2 spans both lanes");
  assert.equal(object(r.lanes.files[0].key), r.lanes.sha, "lanes stored as one file, in order");

  assert.equal(r.doc.filename, "notes.pdf");
  assert.equal(object(r.doc.files[0].key), r.doc.sha);
  assert.equal(r.asset.name, "page asset");
  // 7 + 3 + 3 + 3 parts; the small document and asset are single PUTs; 3 sample callbacks.
  assert.equal(await srv.faultHits(puts), 16);
  assert.equal(await srv.faultHits(callbacks), 3);
  assert.deepEqual(problems, []);
});
