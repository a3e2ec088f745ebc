// Requests that create or run something are never sent twice where the first may have been
// applied (the local server's faults: the handler runs, then the answer is cut or replaced by a
// proxy's 502). jobs.run settles a lost answer by listing the job's analyses of the sample before
// and after; preupload, jobs.create and the upload's init fail with outcome_unknown instead. Where
// the server provably did nothing (a 429, a 503 with Retry-After, a refused connection), they
// are sent again. Counts come from the server's own state and the fault rules' hit counters.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

/** How many requests matched `rule` (its hits, where the rule acts on every match). */
async function counted(srv, rule, f) {
  const counter = await srv.addFault({ ...rule, latency: { ms: 0 } });
  const out = await f();
  const hits = await srv.faultHits(counter);
  return { out, hits };
}

test("creating requests against the local server", async (t) => {
  const srv = await withServer(t, ["--samples", "8"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, retry: { backoffMs: [0, 10, 10] } });
  const [job] = await ocx.jobs.where(null, { filter: (j) => j.analysis_type === "classification", limit: 1 });
  const samples = await ocx.samples.where(null, { limit: 4 });
  const runsOf = async (sample) => (await ocx.analyses.where({ sample: { $ref: sample.$uri }, job: { $ref: job.$uri } })).map(idOf);
  const RUN = { target: "api", method: "POST", path: "/api/v1/jobs/*/run" };

  t.afterEach(() => srv.clearFaults());

  for (const [name, fault] of [
    ["the connection is cut after the server ran it", { drop_after_bytes: 1 }],
    ["a proxy answers 502 after forwarding it", { respond: { status: 502, after_handler: true } }],
    ["a proxy answers 504 after forwarding it", { respond: { status: 504, after_handler: true } }],
  ]) {
    await t.test(`jobs.run: ${name} → the analysis it made, and only one`, async () => {
      const sample = samples[0];
      const before = await runsOf(sample);
      const cut = await srv.addFault({ ...RUN, ...fault, times: 1 });
      const { out: analysis, hits } = await counted(srv, RUN, () => ocx.jobs.run(idOf(job), idOf(sample)));
      assert.equal(await srv.faultHits(cut), 1, "the fault acted");
      assert.equal(hits, 0, "no second POST");
      const after = await runsOf(sample);
      assert.equal(after.length, before.length + 1, "one new analysis");
      assert.deepEqual(after.filter((id) => !before.includes(id)), [idOf(analysis)], "and it is the one returned");
    });
  }

  await t.test("jobs.run: refused before acting (503 with Retry-After, 429) → sent again, one analysis", async () => {
    const sample = samples[1];
    const before = await runsOf(sample);
    const refused = await srv.addFault({ ...RUN, respond: { status: 503, retry_after: 0 }, times: 1 });
    const limited = await srv.addFault({ ...RUN, respond: { status: 429 }, times: 1 });
    const { out: analysis, hits } = await counted(srv, RUN, () => ocx.jobs.run(idOf(job), idOf(sample)));
    assert.deepEqual([await srv.faultHits(refused), await srv.faultHits(limited), hits], [1, 1, 1], "three POSTs, the last one handled");
    const after = await runsOf(sample);
    assert.deepEqual(after.filter((id) => !before.includes(id)), [idOf(analysis)]);
  });

  await t.test("jobs.run: a cut connection before the server read it → checked, found nothing, sent again", async () => {
    const sample = samples[2];
    const before = await runsOf(sample);
    // drop_after_bytes 0 cuts before the handler runs: ambiguous to the client, settled by the listing.
    const cut = await srv.addFault({ ...RUN, drop_after_bytes: 0, times: 1 });
    const { out: analysis, hits } = await counted(srv, RUN, () => ocx.jobs.run(idOf(job), idOf(sample)));
    assert.deepEqual([await srv.faultHits(cut), hits], [1, 1]);
    const after = await runsOf(sample);
    assert.deepEqual(after.filter((id) => !before.includes(id)), [idOf(analysis)], "one analysis, from the second POST");
  });

  const PRE = { target: "api", method: "POST", path: "/api/v1/samples/preupload" };

  await t.test("samples.preupload: answer lost after acting → outcome_unknown, one sample, not two", async () => {
    const n = (await ocx.samples.where()).length;
    const cut = await srv.addFault({ ...PRE, respond: { status: 502, after_handler: true }, times: 1 });
    const { hits } = await counted(srv, PRE, () =>
      rejectsWith(ocx.samples.preupload({ tags: ["lost"] }), "outcome_unknown", (e) =>
        /may have been applied/.test(e.message) && /POST \/api\/v1\/samples\/preupload/.test(e.message) && e.status === 502));
    assert.deepEqual([await srv.faultHits(cut), hits], [1, 0], "sent once");
    assert.equal((await ocx.samples.where()).length, n + 1, "the one sample the server made");
  });

  await t.test("samples.preupload: a 429 → sent again, one sample", async () => {
    const n = (await ocx.samples.where()).length;
    const limited = await srv.addFault({ ...PRE, respond: { status: 429, retry_after: 0 }, times: 1 });
    const { out, hits } = await counted(srv, PRE, () => ocx.samples.preupload({}));
    assert.equal(typeof out.sample_id, "string");
    assert.deepEqual([await srv.faultHits(limited), hits], [1, 1]);
    assert.equal((await ocx.samples.where()).length, n + 1);
  });

  await t.test("a refused connection (nothing sent) is retried, and ends as network, not outcome_unknown", async () => {
    const net = await import("node:net");
    const closed = await new Promise((resolve) => {
      const s = net.createServer().listen(0, "127.0.0.1", () => {
        const { port } = s.address();
        s.close(() => resolve(port));
      });
    });
    const dead = new OneCodex({ apiKey: srv.apiKey, baseUrl: `http://127.0.0.1:${closed}`, retry: { backoffMs: [0] } });
    const t0 = Date.now();
    await rejectsWith(dead.samples.preupload({}), "network", (e) => /ECONNREFUSED/.test(e.message));
    await rejectsWith(dead.jobs.run(idOf(job), idOf(samples[0])), "network");
    assert.ok(Date.now() - t0 < 10_000);
  });

  await t.test("samples.preupload: takes a signal", async () => {
    const ac = new AbortController();
    ac.abort();
    await rejectsWith(ocx.samples.preupload({ signal: ac.signal }), "aborted");
    assert.throws(() => ocx.samples.preupload({ signal: "no" }), (e) => e.code === "invalid_argument");
  });

  await t.test("jobs.create: answer lost after acting → outcome_unknown, one job", async () => {
    const JOBS = { target: "api", method: "POST", path: "/api/v1/jobs" };
    const n = (await ocx.jobs.where()).length;
    const cut = await srv.addFault({ ...JOBS, drop_after_bytes: 1, times: 1 });
    const newJob = { name: "lost answer", image_uri: "docker.io/library/alpine:3", script: "echo $SAMPLE\n" };
    const { hits } = await counted(srv, JOBS, () => rejectsWith(ocx.jobs.create(newJob), "outcome_unknown"));
    assert.deepEqual([await srv.faultHits(cut), hits], [1, 0]);
    assert.equal((await ocx.jobs.where()).length, n + 1);
  });

  await t.test("an upload whose init answer was lost → outcome_unknown, not sent again; idempotent POSTs still retry", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-creating-"));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, "lost.fastq");
    fs.writeFileSync(file, "@r1\nACGT\n+\nIIII\n");
    const n = (await ocx.samples.where()).length;
    const INIT = { target: "api", method: "POST", path: "/api/v1/samples/init_multipart_upload" };
    const cut = await srv.addFault({ ...INIT, respond: { status: 502, after_handler: true }, times: 1 });
    const { hits } = await counted(srv, INIT, () => rejectsWith(ocx.samples.upload(file).done, "outcome_unknown"));
    assert.deepEqual([await srv.faultHits(cut), hits], [1, 0], "init sent once");
    // The local server, as the API, makes the sample at the callback: the lost init left none.
    assert.equal((await ocx.samples.where()).length, n);
    // A download link (a POST whose repetition changes nothing) is still retried on a 502.
    const small = samples.reduce((a, b) => (b.size < a.size ? b : a));
    const link = { target: "api", method: "POST", path: `/api/v1/samples/${idOf(small)}/download_uri` };
    const failing = await srv.addFault({ ...link, respond: { status: 502 }, times: 1 });
    const r = await ocx.samples.download(idOf(small));
    assert.ok(r.bytes > 0 && r.blob.size === r.bytes);
    assert.equal(await srv.faultHits(failing), 1);
  });
});
