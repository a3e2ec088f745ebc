// Results in Chromium: a real zstd results file parsed in the page, golden values through the
// browser build, and results fetched cross-origin from the local server's pre-signed URLs.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { withServer } from "../js/support.mjs";
import { openPage, root, screenshot, packagePage } from "./browser.mjs";

const FIXTURES = path.resolve(root, "../shared/fixtures/api/v1/classifications");
if (!fs.existsSync(FIXTURES) && process.env.CI === "true") throw new Error(`fixtures missing at ${FIXTURES} (required when CI=true)`);

test("results and tables in a browser page", { skip: fs.existsSync(FIXTURES) ? false : "fixtures not found" }, async (t) => {
  const srv = await withServer(t, ["--samples", "20"]);
  const { browser, url } = await packagePage(t, { mounts: { "/fixtures/": FIXTURES } });

  const { page, problems } = await openPage(browser, url);
  const out = await page.evaluate(async ({ api, key }) => {
    const { OneCodex } = await import("onecodex-wasm");
    const { parseClassificationResults, Collection } = await import("onecodex-wasm/tables");
    const bytes = new Uint8Array(await (await fetch("/fixtures/6579e99943f84ad2/results/index.json.zstd")).arrayBuffer());
    const table = parseClassificationResults(bytes);
    const stats = table.stats();
    const isF64 = table.column("readcount") instanceof Float64Array;
    const length = table.length;
    table.free();
    const c = Collection.fromResults([{ classificationId: "6579e99943f84ad2", bytes }]);
    const m = c.toMatrix({ metric: "readcount", rank: "species", topN: 6 });
    c.free();
    let error = null;
    try { parseClassificationResults(bytes.subarray(0, 100)); } catch (e) { error = [e.name, e.code]; }
    const ocx = new OneCodex({ apiKey: key, baseUrl: api });
    const ok = (await ocx.classifications.where()).filter((x) => x.success).slice(0, 3);
    const progress = [];
    const online = await ocx.collection(ok, { onProgress: (p) => progress.push(p.done) });
    const genus = online.toMatrix({ rank: "genus", metric: "readcount_w_children" });
    document.body.textContent = `parsed ${length} rows; genus matrix ${genus.rowIds.length} × ${genus.columnIds.length}`;
    online.free();
    return { stats, isF64, length, top: Array.from(m.values).sort((a, b) => b - a), error, progress, shape: [genus.rowIds.length, genus.columnIds.length] };
  }, { api: srv.api, key: srv.apiKey });
  await screenshot(page, "tables");

  assert.equal(out.length, 1698);
  assert.ok(out.isF64);
  assert.equal(out.stats.n_mapped_microbial_reads, 24527027);
  assert.deepEqual(out.top, [4417519, 283510, 212457, 179055, 172214, 128158]);
  assert.deepEqual(out.error, ["OneCodexError", "invalid_response"]);
  assert.deepEqual(out.progress, [1, 2, 3]);
  assert.equal(out.shape[0], 3);
  assert.ok(out.shape[1] > 10);
  assert.deepEqual(problems, []);
});
