// The tables module in a Web Worker (Chromium): a module worker imports the package's browser
// entry by URL (import maps do not reach workers) and computes, from the same results bytes, the
// same matrix (and analyses) as the page's main thread, and as Node.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openPage, packagePage, screenshot } from "./browser.mjs";
import { generatedResults } from "../js/generated.mjs";

// What both threads compute; a missing analysis is reported as such, and checked below.
const WORK = `export function work(tables, items) {
  const c = tables.Collection.fromResults(items);
  const m = c.toMatrix({ rank: "genus", metric: "readcount_w_children" });
  const out = { rowIds: m.rowIds, columnIds: m.columnIds, values: Array.from(m.values), analyses: {} };
  if (typeof c.betaDiversity === "function") {
    out.analyses.braycurtis = Array.from(c.betaDiversity({ rank: "genus", metric: "readcount_w_children", diversityMetric: "braycurtis" }).values);
  }
  if (typeof c.alphaDiversity === "function") {
    out.analyses.shannon = Array.from(c.alphaDiversity({ rank: "genus", metric: "readcount_w_children", diversityMetric: "shannon" }).values);
  }
  c.free();
  return out;
}`;
const WORKER = `import * as tables from "/pkg/tables/web/index.js";
import { work } from "/worker/work.js";
self.onmessage = (e) => {
  try { self.postMessage(work(tables, e.data)); } catch (err) { self.postMessage({ error: String(err && err.stack || err) }); }
};
// The entry instantiates its module with a top-level await: say when messages can be handled.
self.postMessage("ready");`;

test("the tables module in a Web Worker gives the main thread's numbers", async (t) => {
  const items = generatedResults(t, 8);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-worker-"));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  fs.writeFileSync(path.join(dir, "work.js"), WORK);
  fs.writeFileSync(path.join(dir, "worker.js"), WORKER);
  const { browser, url } = await packagePage(t, { mounts: { "/worker/": dir } });
  const { page, problems } = await openPage(browser, url);
  const out = await page.evaluate(async (items) => {
    const tables = await import("onecodex-wasm/tables");
    const { work } = await import("/worker/work.js");
    const inputs = () => items.map((x) => ({ classificationId: x.classificationId, bytes: new Uint8Array(x.bytes) }));
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
  }, items.map((x) => ({ classificationId: x.classificationId, bytes: Array.from(x.bytes) })));
  await screenshot(page, "worker");

  assert.equal(out.inWorker.error, undefined, out.inWorker.error);
  assert.equal(out.main.rowIds.length, 8);
  assert.deepEqual(out.inWorker.rowIds, out.main.rowIds);
  assert.deepEqual(out.inWorker.columnIds, out.main.columnIds);
  assert.deepEqual(out.inWorker.values, out.main.values, "bit-identical values");
  assert.deepEqual(out.inWorker.analyses, out.main.analyses);
  assert.deepEqual(problems, []);
  // And the same as Node's build of the module on the same bytes.
  const { work } = await import(`data:text/javascript,${encodeURIComponent(WORK)}`);
  const inNode = work(await import("onecodex-wasm/tables"), items);
  assert.deepEqual(out.main, inNode, "Chromium's numbers are Node's");
  await t.test("analyses in the worker", {
    todo: "braycurtis" in out.main.analyses ? false : "Collection.betaDiversity not on this branch yet",
  }, () => {
    assert.equal(out.main.analyses.braycurtis?.length, 64);
    assert.equal(out.main.analyses.shannon?.length, 8);
  });
});
