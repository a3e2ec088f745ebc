// Every operator against the local server returns exactly the records it should (checked against
// a local evaluation of the same condition over all records), pages stay in order when fetched
// concurrently, and retries and aborts behave, with the server's fault counters as witness.
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const ids = (objects) => objects.map(idOf).sort();
const ref = (v) => (v == null ? null : (v.$ref ?? v.$uri));

test("queries against the local server", async (t) => {
  const srv = await withServer(t, ["--samples", "250"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const all = await ocx.samples.where();
  assert.equal(all.length, 250);

  await t.test("each operator returns exactly the matching samples", async () => {
    const someSize = all[17].size;
    const sizes = all.map((s) => s.size).sort((a, b) => a - b);
    const [lo, hi] = [sizes[40], sizes[120]];
    const dates = all.map((s) => s.created_at).sort();
    const mid = dates[125];
    const project = all.find((s) => s.project)?.project;
    const name = all[3].filename;
    const cases = [
      [{ filename: name }, (s) => s.filename === name],
      [{ filename: { $ne: name } }, (s) => s.filename !== name],
      [{ filename: { $in: [name, all[9].filename] } }, (s) => s.filename === name || s.filename === all[9].filename],
      [{ filename: { $contains: "_R1" } }, (s) => s.filename.includes("_R1")],
      [{ filename: { $icontains: "_r1" } }, (s) => s.filename.toLowerCase().includes("_r1")],
      [{ filename: { $startswith: "soil" } }, (s) => s.filename.startsWith("soil")],
      [{ filename: { $istartswith: "SOIL" } }, (s) => s.filename.toLowerCase().startsWith("soil")],
      [{ filename: { $endswith: ".fastq.gz" } }, (s) => s.filename.endsWith(".fastq.gz")],
      [{ filename: { $iendswith: ".FASTQ.GZ" } }, (s) => s.filename.toLowerCase().endsWith(".fastq.gz")],
      [{ size: someSize }, (s) => s.size === someSize],
      [{ size: { $gt: lo } }, (s) => s.size > lo],
      [{ size: { $gte: lo } }, (s) => s.size >= lo],
      [{ size: { $lt: hi } }, (s) => s.size < hi],
      [{ size: { $lte: hi } }, (s) => s.size <= hi],
      [{ size: { $between: [lo, hi] } }, (s) => s.size >= lo && s.size <= hi],
      [{ size: { $gte: lo, $lt: hi } }, (s) => s.size >= lo && s.size < hi],
      [{ size: [sizes[0], sizes[1]] }, (s) => s.size === sizes[0] || s.size === sizes[1]],
      [{ created_at: { $gte: mid } }, (s) => Date.parse(s.created_at) >= Date.parse(mid)],
      [{ created_at: { $lt: mid } }, (s) => Date.parse(s.created_at) < Date.parse(mid)],
      [{ status: { $in: ["available"] } }, (s) => s.status === "available"],
      [{ status: { $ne: "available" } }, (s) => s.status !== "available"],
      [{ visibility: "private" }, (s) => s.visibility === "private"],
      [{ error_msg: null }, (s) => s.error_msg == null],
      [{ project: ref(project) }, (s) => ref(s.project) === ref(project)],
      [{ project: null }, (s) => s.project == null],
      [{ project: { $ne: ref(project) } }, (s) => ref(s.project) !== ref(project)],
    ];
    for (const [filter, keep] of cases) {
      const want = ids(all.filter(keep));
      const got = ids(await ocx.samples.where(filter));
      assert.deepEqual(got, want, JSON.stringify(filter));
    }
    // Not every case is trivially empty or everything.
    const nontrivial = cases.filter(([, keep]) => { const n = all.filter(keep).length; return n > 0 && n < all.length; });
    assert.ok(nontrivial.length >= 20, `only ${nontrivial.length} discriminating cases`);
  });

  await t.test("page-style pages fetched concurrently keep their order", async () => {
    const sequential = (await ocx.classifications.where(null, { concurrency: 1 })).map(idOf);
    assert.ok(sequential.length > 200, "several pages of classifications");
    // Random latency per request, so later pages often answer before earlier ones.
    const id = await srv.addFault({ target: "api", method: "GET", path: "/api/v1/classifications", latency: { ms: 10, jitter_ms: 300 } });
    const concurrent = (await ocx.classifications.where()).map(idOf);
    assert.deepEqual(concurrent, sequential);
    assert.ok(await srv.faultHits(id) >= 3);
    await srv.clearFaults();
  });

  await t.test("429 with Retry-After, then success", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: "/api/v1/projects", respond: { status: 429, retry_after: 1 }, times: 1 });
    const started = Date.now();
    const projects = await ocx.projects.where();
    assert.ok(projects.length > 0);
    assert.equal(await srv.faultHits(id), 1);
    assert.ok(Date.now() - started >= 900, "waited as Retry-After said");
  });

  await t.test("abort in the middle of iter()", async () => {
    const ctl = new AbortController();
    const seen = [];
    await assert.rejects(async () => {
      for await (const s of ocx.samples.iter(null, { signal: ctl.signal })) {
        seen.push(s);
        if (seen.length === 1) ctl.abort();
      }
    }, (e) => e.code === "aborted");
    assert.equal(seen.length, 100, "the first page was yielded whole, the next request was aborted");
  });
});
