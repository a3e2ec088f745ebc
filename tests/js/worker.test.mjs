// The tables module in a Node worker_thread: the same results bytes give the same matrix and the
// same analyses (every one, tests/js/analyses-work.mjs) as on the main thread, so a script can
// keep heavy calls off its main thread. The results are the local server's generated ones
// (`--generate-results`, no server running).
import test from "node:test";
import assert from "node:assert/strict";
import { Worker } from "node:worker_threads";
import * as tables from "onecodex-wasm/tables";
import { generatedResults } from "./generated.mjs";
import { work, withSites, EXPECTED_ANALYSES } from "./analyses-work.mjs";

test("the tables module in a worker_thread gives the main thread's numbers", async (t) => {
  const items = withSites(generatedResults(t, 12));
  const main = work(tables, items);
  assert.equal(main.rowIds.length, 12);
  assert.ok(main.columnIds.length > 100, `genera: ${main.columnIds.length}`);
  for (const name of EXPECTED_ANALYSES) {
    assert.equal(main.analyses[name]?.error, undefined, `${name}: ${main.analyses[name]?.message}`);
  }
  assert.equal(main.analyses["beta braycurtis"].values.length, 144, "12×12 Bray–Curtis");

  const worker = new Worker(`
    const { parentPort, workerData } = require("node:worker_threads");
    (async () => {
      const tables = await import(workerData.tables);
      const { work } = await import(workerData.work);
      parentPort.postMessage(work(tables, workerData.items));
    })().catch((e) => parentPort.postMessage({ error: String(e && e.stack || e) }));
  `, { eval: true, workerData: { items, tables: import.meta.resolve("onecodex-wasm/tables"), work: import.meta.resolve("./analyses-work.mjs") } });
  t.after(() => worker.terminate());
  const inWorker = await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  assert.equal(inWorker.error, undefined, inWorker.error);
  assert.deepEqual(inWorker.rowIds, main.rowIds);
  assert.deepEqual(inWorker.columnIds, main.columnIds);
  assert.deepEqual(inWorker.values, main.values, "bit-identical values");
  assert.deepEqual(Object.keys(inWorker.analyses), Object.keys(main.analyses));
  for (const name of Object.keys(main.analyses)) {
    assert.deepEqual(inWorker.analyses[name], main.analyses[name], `${name}: the worker's equals the main thread's`);
  }
});
