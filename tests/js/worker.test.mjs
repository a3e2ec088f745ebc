// The tables module in a Node worker_thread: the same results bytes give the same matrix (and the
// same analyses) as on the main thread, so a script can keep heavy calls off its main thread.
// The results are the local server's generated ones (`--generate-results`, no server running).
import test from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import { Collection } from "onecodex-wasm/tables";
import { generatedResults } from "./generated.mjs";

// What both threads compute: a genus matrix, and the analyses where the package has them.
const WORK = `
export function work(tables, items) {
  const c = tables.Collection.fromResults(items);
  const m = c.toMatrix({ rank: "genus", metric: "readcount_w_children" });
  const out = { rowIds: m.rowIds, columnIds: m.columnIds, values: Array.from(m.values), analyses: {} };
  if (typeof c.betaDiversity === "function") {
    const dm = c.betaDiversity({ rank: "genus", metric: "readcount_w_children", diversityMetric: "braycurtis" });
    out.analyses.braycurtis = Array.from(dm.values);
  }
  if (typeof c.alphaDiversity === "function") {
    out.analyses.shannon = Array.from(c.alphaDiversity({ rank: "genus", metric: "readcount_w_children", diversityMetric: "shannon" }).values);
  }
  c.free();
  return out;
}`;

test("the tables module in a worker_thread gives the main thread's numbers", async (t) => {
  const items = generatedResults(t, 12);
  const { work } = await import(`data:text/javascript,${encodeURIComponent(WORK)}`);
  const main = work({ Collection }, items);
  assert.equal(main.rowIds.length, 12);
  assert.ok(main.columnIds.length > 100, `genera: ${main.columnIds.length}`);

  const worker = new Worker(`
    const { parentPort, workerData } = require("node:worker_threads");
    (async () => {
      const tables = await import(workerData.tables);
      const { work } = await import(workerData.work);
      parentPort.postMessage(work(tables, workerData.items));
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `, { eval: true, workerData: { items, tables: import.meta.resolve("onecodex-wasm/tables"), work: `data:text/javascript,${encodeURIComponent(WORK)}` } });
  t.after(() => worker.terminate());
  const inWorker = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  assert.equal(inWorker.error, undefined, inWorker.error);
  assert.deepEqual(inWorker.rowIds, main.rowIds);
  assert.deepEqual(inWorker.columnIds, main.columnIds);
  assert.deepEqual(inWorker.values, main.values, "bit-identical values");
  assert.deepEqual(inWorker.analyses, main.analyses);
  await t.test("analyses in the worker", {
    todo: typeof Collection.prototype.betaDiversity === "function" ? false : "Collection.betaDiversity not on this branch yet",
  }, () => {
    assert.ok(main.analyses.braycurtis?.length === 144, "12×12 Bray-Curtis computed on both threads");
    assert.ok(main.analyses.shannon?.length === 12, "12 Shannon values computed on both threads");
  });
});
