// The analysis lifecycle against the local server (API_SPEC §8): a job run followed to complete
// with awaitCompletion (real 5 s poll interval; the server's classification delay is short),
// refresh, logs, output files and the read-level TSV.
import test from "node:test";
import assert from "node:assert/strict";
import zlib from "node:zlib";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

test("analyses against the local server", async (t) => {
  const srv = await withServer(t, ["--samples", "20", "--classify-delay-ms", "4000"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });

  await t.test("a job run is followed from run to complete", async () => {
    const [job] = await ocx.jobs.where(null, { filter: (j) => j.analysis_type === "classification", limit: 1 });
    const [sample] = await ocx.samples.where(null, { limit: 1 });
    const started = await ocx.jobs.run(idOf(job), idOf(sample));
    assert.equal(started.complete, false);
    const polls = [];
    const t0 = Date.now();
    const done = await ocx.analyses.awaitCompletion(idOf(started), { onPoll: (a, n) => polls.push([n, a.complete]) });
    const waited = Date.now() - t0;
    assert.equal(done.complete, true);
    assert.equal(done.success, true);
    assert.deepEqual(polls, [[1, false], [2, true]]);
    assert.ok(waited >= 5000, `the first wait is the 5 s minimum (waited ${waited} ms)`);
    // The same analysis through its own kind's class.
    const again = await ocx.classifications.refresh(idOf(started));
    assert.equal(again.$uri.split("/").pop(), idOf(started));
  });

  await t.test("timeout, abort, and bad options", async () => {
    const [job] = await ocx.jobs.where(null, { filter: (j) => j.analysis_type === "classification", limit: 1 });
    const [sample] = await ocx.samples.where(null, { limit: 1 });
    const pending = await ocx.jobs.run(idOf(job), idOf(sample));
    await rejectsWith(ocx.analyses.awaitCompletion(idOf(pending), { timeoutMs: 0 }), "timeout", (e) => /did not complete within 0 s/.test(e.message));
    const ac = new AbortController();
    const p = ocx.analyses.awaitCompletion(idOf(pending), { signal: ac.signal, onPoll: () => setTimeout(() => ac.abort(), 50) });
    await rejectsWith(p, "aborted");
    const thrown = new Error("stop polling");
    await assert.rejects(ocx.analyses.awaitCompletion(idOf(pending), { onPoll: () => { throw thrown; } }), (e) => e === thrown);
    for (const bad of [
      { initialIntervalMs: 1000 },
      { maxIntervalMs: 4999 },
      { backoff: 0.5 },
      { timeoutMs: -1 },
      { initialIntervalMs: 60_000, maxIntervalMs: 30_000 },
      { onPoll: "no" },
      { intervalMs: 5000 },
    ]) {
      assert.throws(() => ocx.analyses.awaitCompletion(idOf(pending), bad), (e) => e.code === "invalid_argument", JSON.stringify(bad));
    }
    await rejectsWith(ocx.workflows.refresh("ffffffffffffffff"), "not_found");
  });

  await t.test("logs: tail, and a not_found naming the analysis when there are none", async () => {
    const [wf] = await ocx.workflows.where(null, { limit: 1 });
    const all = await ocx.workflows.logs(idOf(wf));
    assert.ok(all.split("\n").length > 3);
    const tail = await ocx.workflows.logs(idOf(wf), { tail: 2 });
    assert.deepEqual(tail.trimEnd().split("\n"), all.trimEnd().split("\n").slice(-2));
    const [c] = await ocx.classifications.where(null, { limit: 1 });
    await rejectsWith(ocx.classifications.logs(idOf(c)), "not_found", (e) => e.message.startsWith(`Logs not found for analysis ${idOf(c)}`));
    assert.throws(() => ocx.workflows.logs(idOf(wf), { tail: 0 }), (e) => e.code === "invalid_argument");
    assert.throws(() => ocx.workflows.logs(idOf(wf), { tail: 1.5 }), (e) => e.code === "invalid_argument");
  });

  await t.test("getFiles and downloadFile", async () => {
    const [wf] = await ocx.workflows.where({ complete: true }, { limit: 1 });
    const files = await ocx.workflows.getFiles(idOf(wf));
    assert.ok(files.length >= 2);
    const f = files.find((x) => x.filepath === "results/tables/counts.tsv");
    const got = await ocx.workflows.downloadFile(idOf(wf), "/results/tables/counts.tsv");
    assert.equal(got.filename, "counts.tsv");
    assert.equal(got.bytes, f.size);
    assert.match(await got.blob.text(), /^feature\tcount\n/);
    await rejectsWith(ocx.workflows.downloadFile(idOf(wf), "results/nope.txt"), "not_found", (e) => e.message.includes("results/tables/counts.tsv"));
    const id = await srv.addFault({ target: "api", method: "GET", path: `/__signed/file/workflows/${idOf(wf)}/results/summary.txt`, respond: { status: 500 }, times: 1 });
    const s = await ocx.workflows.downloadFile(idOf(wf), "results/summary.txt", { retry: { backoffMs: [0] } });
    assert.equal(await srv.faultHits(id), 1);
    assert.match(await s.blob.text(), /^analysis /);
  });

  await t.test("the read-level TSV of a classification", async () => {
    const [c] = await ocx.classifications.where({ complete: true, success: true }, { limit: 1 });
    const r = await ocx.classifications.downloadReadlevel(idOf(c));
    assert.equal(r.filename, `${idOf(c)}.readlevel.tsv.gz`);
    const text = zlib.gunzipSync(Buffer.from(await r.blob.arrayBuffer())).toString();
    assert.ok(text.startsWith("Tax ID\tN Hits\tSeq Len\tPassed Filter\n"), text.slice(0, 80));
  });
});
