// End to end on the local server: a FASTQ uploaded from Node, the classification the server starts
// for it followed with awaitCompletion until complete, and its results read as a table.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { OneCodex } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const fastq = path.resolve(root, "../shared/fixtures/files/test.fq");
const have = fs.existsSync(fastq);
if (!have && process.env.CI === "true") throw new Error(`fixture missing: ${fastq}`);

test("upload, then follow its analysis to complete, then read its table", { skip: !have && "fixtures missing" }, async (t) => {
  const srv = await withServer(t, ["--samples", "5", "--classify-delay-ms", "3000"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, s3Endpoint: srv.s3 });
  const sample = await ocx.samples.upload(fastq).done;
  const fresh = await ocx.samples.get(idOf(sample));
  assert.ok(fresh.primary_classification, "the server started a classification for the upload");
  const classificationId = idOf(fresh.primary_classification);
  const before = await ocx.classifications.get(classificationId);
  assert.equal(before.complete, false, "still running right after the upload");

  const polls = [];
  const done = await ocx.classifications.awaitCompletion(classificationId, {
    timeoutMs: 60_000, onPoll: (a, n) => polls.push([a.complete, n]),
  });
  assert.equal(done.complete, true);
  assert.equal(done.success, true);
  assert.ok(polls.length >= 1 && polls.at(-1)[0] === true, `polls: ${JSON.stringify(polls)}`);

  const table = await ocx.classifications.table(classificationId);
  assert.ok(table.length > 100, `a realistic table (${table.length} rows)`);
  assert.ok(table.n_reads > 0);
  table.free();
});
