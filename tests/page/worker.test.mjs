// The tables module in a Web Worker (Chromium): a module worker imports the package's browser
// entry by URL (import maps do not reach workers) and computes, from the same results bytes, the
// same matrix and every analysis (tests/js/analyses-work.mjs) as the page's main thread, and as
// Node.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openPage, packagePage, screenshot } from "./browser.mjs";
import { generatedResults } from "../js/generated.mjs";
import { work, withSites, EXPECTED_ANALYSES } from "../js/analyses-work.mjs";

const shared = path.dirname(fileURLToPath(import.meta.resolve("../js/analyses-work.mjs")));

const WORKER = `import * as tables from "/pkg/tables/web/index.js";
import { work } from "/shared/analyses-work.mjs";
self.onmessage = (e) => {
  try { self.postMessage(work(tables, e.data)); } catch (err) { self.postMessage({ error: String(err && err.stack || err) }); }
};
// The entry instantiates its module with a top-level await: say when messages can be handled.
self.postMessage("ready");`;

test("the tables module in a Web Worker gives the main thread's numbers", async (t) => {
  const items = withSites(generatedResults(t, 8));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-worker-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "worker.js"), WORKER);
  const { browser, url } = await packagePage(t, { mounts: { "/worker/": dir, "/shared/": shared } });
  const { page, problems } = await openPage(browser, url);
  const out = await page.evaluate(async (items) => {
    const tables = await import("onecodex-wasm/tables");
    const { work } = await import("/shared/analyses-work.mjs");
    const inputs = () => items.map((x) => ({ ...x, bytes: new Uint8Array(x.bytes) }));
    const main = work(tables, inputs());
    const worker = new Worker("/worker/worker.js", { type: "module" });
    const sent = inputs();
    const inWorker = await new Promise((resolve, reject) => {
      setTimeout(() => reject(new Error("no answer from the worker in 60 s")), 60_000);
      worker.onmessage = (e) => {
        if (e.data === "ready") worker.postMessage(sent, sent.map((x) => x.bytes.buffer)); // transferred, not copied
        else resolve(e.data);
      };
      worker.onerror = (e) => reject(new Error(`worker: ${e.message}`));
    });
    worker.terminate();
    document.body.textContent = `genus matrix ${main.rowIds.length} × ${main.columnIds.length}, in a worker too`;
    return { main, inWorker };
  }, items.map((x) => ({ ...x, bytes: Array.from(x.bytes) })));
  await screenshot(page, "worker");

  assert.equal(out.inWorker.error, undefined, out.inWorker.error);
  assert.equal(out.main.rowIds.length, 8);
  assert.deepEqual(out.inWorker.rowIds, out.main.rowIds);
  assert.deepEqual(out.inWorker.columnIds, out.main.columnIds);
  assert.deepEqual(out.inWorker.values, out.main.values, "bit-identical values");
  for (const name of EXPECTED_ANALYSES) {
    assert.equal(out.main.analyses[name]?.error, undefined, `${name}: ${out.main.analyses[name]?.message}`);
  }
  assert.equal(out.main.analyses["beta braycurtis"].values.length, 64, "8×8 Bray–Curtis");
  assert.deepEqual(Object.keys(out.inWorker.analyses), Object.keys(out.main.analyses));
  for (const name of Object.keys(out.main.analyses)) {
    assert.deepEqual(out.inWorker.analyses[name], out.main.analyses[name], `${name}: the Web Worker's equals the page's`);
  }
  assert.deepEqual(problems, []);
  // And the same as Node's build of the module on the same bytes.
  const inNode = work(await import("onecodex-wasm/tables"), items);
  for (const name of Object.keys(inNode.analyses)) {
    assert.deepEqual(out.main.analyses[name], inNode.analyses[name], `${name}: Chromium's equals Node's`);
  }
  assert.deepEqual(out.main, inNode, "Chromium's numbers are Node's");
});
