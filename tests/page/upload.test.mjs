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
