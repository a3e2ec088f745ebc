// Uploads from a browser page (issue 5): a File built in the page (read with Blob.slice, sent with
// XHR for byte-granular progress) to the local server's S3 on another origin, single PUT and
// multipart, with progress reaching 100% and the stored object equal to the input.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startStaticServer } from "../../scripts/serve.mjs";
import { withServer } from "../js/support.mjs";
import { launch, openPage, root } from "./browser.mjs";

const BUCKET = "onecodex-multipart-uploads-encrypted";

test("uploads from a browser page: File and Blob, XHR progress to 100%", async (t) => {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-up-"));
  const srv = await withServer(t, ["--samples", "3", "--classify-delay-ms", "0", "--data", data]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-"));
  fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"onecodex-wasm": "/pkg/web/index.js"}}</script><body>ready</body>`);
  const web = await startStaticServer({ mounts: { "/": dir, "/pkg/": path.join(root, "pkg") } });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await web.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });
  const fault = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 2, respond: { status: 503 }, times: 1 });

  const { page, problems } = await openPage(browser, web.url + "/");
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
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-"));
  fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"onecodex-wasm": "/pkg/web/index.js"}}</script>
<script>
  // The same bytes, name and date in every page load, as a user picking the same file again.
  window.sameFile = (mib, seed) => {
    const b = new Uint8Array(mib * 1024 * 1024);
    let x = seed;
    for (let i = 0; i < b.length; i++) { x = (x * 1103515245 + 12345) >>> 0; b[i] = x >>> 24; }
    return new File([b], "reload_R1.fastq", { lastModified: 1700000000000 });
  };
</script><body>ready</body>`);
  const web = await startStaticServer({ mounts: { "/": dir, "/pkg/": path.join(root, "pkg") } });
  const browser = await launch();
  t.after(async () => {
    await browser.close();
    await web.close();
    fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(data, { recursive: true, force: true });
  });
  const { page, problems } = await openPage(browser, web.url + "/");
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
