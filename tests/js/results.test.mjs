// Results against the local One Codex server: pre-signed results_uri (no credentials), the
// /results fallback on an HTTP error (fault hit counters), retries, functional, MLST/panel/
// workflow JSON, read-level URL, and ocx.collection (concurrency, progress, skipMissing).
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { ClassificationTable, Collection } from "onecodex-wasm/tables";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (promise, code, re) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

test("results and collections against the local server", async (t) => {
  const srv = await withServer(t, ["--samples", "40"]);
  const seen = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, onRequest: (r) => seen.push(r), retry: { backoffMs: [0] } });
  const all = await ocx.classifications.where();
  const ok = all.filter((c) => c.success && c.results_uri);
  const failed = all.filter((c) => !c.success);
  assert.ok(ok.length >= 8, `successful classifications: ${ok.length}`);

  await t.test("table() reads the pre-signed results_uri without credentials", async () => {
    seen.length = 0;
    const table = await ocx.classifications.table(idOf(ok[0]));
    assert.ok(table instanceof ClassificationTable);
    assert.ok(table.length >= 2000, `rows: ${table.length}`);
    const signed = seen.filter((r) => r.url.includes("/__signed/results/"));
    assert.equal(signed.length, 1);
    assert.ok(!Object.keys(signed[0].headers).some((h) => h.toLowerCase() === "authorization"), "no credentials on the pre-signed GET");
    assert.ok(!seen.some((r) => r.url.endsWith("/results")), "no fallback");
    const rwc = table.column("readcount_w_children");
    assert.ok(rwc[table.rowOf("1")] > 0);
    table.free();
  });

  await t.test("an object from where() is used as is (no extra GET), results() gives JSON", async () => {
    seen.length = 0;
    const json = await ocx.classifications.results(ok[1]);
    assert.equal(seen.length, 1, seen.map((r) => r.url).join(" "));
    assert.ok(Array.isArray(json.table) && json.table.length > 0);
    const table = await ocx.classifications.table(ok[1]);
    assert.equal(table.length, json.table.length);
    assert.equal(table.n_reads, json.n_reads);
    table.free();
  });

  await t.test("a 403 on results_uri falls back to /results (authenticated)", async () => {
    const id = idOf(ok[2]);
    const fault = await srv.addFault({ target: "api", method: "GET", path: `/__signed/results/classifications/${id}*`, respond: { status: 403 }, times: 1 });
    seen.length = 0;
    const table = await ocx.classifications.table(id);
    assert.equal(await srv.faultHits(fault), 1);
    const fallback = seen.filter((r) => r.url.endsWith(`/api/v1/classifications/${id}/results`));
    assert.equal(fallback.length, 1, "one GET of /results");
    assert.match(fallback[0].headers.Authorization ?? fallback[0].headers.authorization, /<redacted>/);
    assert.ok(table.length > 0);
    table.free();
  });

  await t.test("a 503 on results_uri is retried, not a fallback", async () => {
    const id = idOf(ok[3]);
    const fault = await srv.addFault({ target: "api", method: "GET", path: `/__signed/results/classifications/${id}*`, respond: { status: 503, retry_after: 0 }, times: 2 });
    seen.length = 0;
    const table = await ocx.classifications.table(id);
    assert.equal(await srv.faultHits(fault), 2);
    assert.equal(seen.filter((r) => r.url.includes("/__signed/results/")).length, 3);
    assert.ok(!seen.some((r) => r.url.endsWith("/results")));
    table.free();
  });

  await t.test("both failing is a typed error", async () => {
    const id = idOf(ok[4]);
    const a = await srv.addFault({ target: "api", path: `/__signed/results/classifications/${id}*`, respond: { status: 403 }, times: 1 });
    const b = await srv.addFault({ target: "api", path: `/api/v1/classifications/${id}/results`, respond: { status: 404 }, times: 1 });
    await rejectsWith(ocx.classifications.table(id), "not_found");
    assert.equal(await srv.faultHits(a), 1);
    assert.equal(await srv.faultHits(b), 1);
    await rejectsWith(ocx.classifications.table("no-such-id"), "not_found");
    await rejectsWith(ocx.classifications.table("a/b"), "invalid_argument");
  });

  await t.test("read-level URL", async () => {
    const url = await ocx.classifications.readlevelUrl(idOf(ok[0]));
    assert.match(url, /\/__signed\/readlevel\/classifications\/.*results\.tsv\.gz/);
  });

  await t.test("functional profiles: results (condensed, rehydrated), table, filteredResults", async () => {
    const profiles = (await ocx.functionalProfiles.where()).filter((p) => p.success);
    assert.ok(profiles.length > 0);
    const p = profiles[0];
    seen.length = 0;
    const results = await ocx.functionalProfiles.results(p);
    assert.ok(seen.some((r) => r.url.includes("/__signed/results/functional_profiles/")), "condensed file fetched");
    assert.ok(results.table.length > 0);
    assert.ok(results.table.every((r) => "group_name" in r && "taxa_stratified" in r));
    const table = await ocx.functionalProfiles.table(idOf(p), { annotation: "pathways", metric: "coverage", taxaStratified: false });
    assert.ok(table.length > 0);
    assert.ok(table.rows().every((r) => r.group_name === "pathways" && r.metric === "coverage" && r.taxa_stratified === false));
    table.free();
    seen.length = 0;
    const filtered = await ocx.functionalProfiles.filteredResults(idOf(p), { annotation: "pathways", metric: "coverage", taxaStratified: true });
    assert.match(seen.at(-1).url, /functional_group=pathways&metric=coverage&taxa_stratified=True$/);
    assert.ok(Array.isArray(filtered.table));
    assert.throws(() => ocx.functionalProfiles.filteredResults(idOf(p), { annotation: "go", metric: "coverage" }), (e) => e.code === "invalid_argument");
    // Condensed file unavailable (403, then the refreshed URL 403 too): /results fallback for results().
    const f = await srv.addFault({ target: "api", path: `/__signed/results/functional_profiles/${idOf(p)}*`, respond: { status: 403 }, times: 2 });
    const fallback = await ocx.functionalProfiles.results(idOf(p));
    assert.equal(await srv.faultHits(f), 2);
    assert.ok(fallback.table.some((r) => r.metric === "total_cpm" || r.metric === "total_rpk"), "server /results format");
    const f2 = await srv.addFault({ target: "api", path: `/__signed/results/functional_profiles/${idOf(p)}*`, respond: { status: 403 }, times: 2 });
    await rejectsWith(ocx.functionalProfiles.table(idOf(p)), "not_found", /Results are not available/);
    assert.equal(await srv.faultHits(f2), 2);
  });

  await t.test("MLST, panel and workflow results as JSON", async () => {
    const [mlst] = (await ocx.mlsts.where()).filter((m) => m.success);
    if (mlst) {
      const r = await ocx.mlsts.results(idOf(mlst));
      assert.ok(r.mlstResults || r.panelResults);
    }
    const [panel] = (await ocx.panels.where()).filter((m) => m.success);
    if (panel) assert.equal(typeof (await ocx.panels.results(panel)), "object");
    const [wf] = (await ocx.workflows.where()).filter((m) => m.success);
    if (wf) assert.equal(typeof (await ocx.workflows.results(wf)), "object");
    assert.ok(mlst || panel || wf, "the server has at least one of them");
    await rejectsWith(ocx.mlsts.results("no-such-id"), "not_found");
  });

  await t.test("collection: concurrent fetch with progress, warnings as data", async () => {
    const items = [...ok.slice(0, 8), ...failed.slice(0, 1)];
    const progress = [];
    const c = await ocx.collection(items, { concurrency: 3, onProgress: (p) => progress.push(p) });
    assert.ok(c instanceof Collection);
    assert.equal(c.length, 8);
    assert.deepEqual(c.classificationIds, ok.slice(0, 8).map(idOf));
    assert.equal(progress.length, 8);
    assert.deepEqual(progress.at(-1), { done: 8, total: 8 }, "progress counts results downloads");
    assert.ok(progress.every((p, i) => p.done === i + 1));
    if (failed.length) assert.ok(c.warnings.some((w) => w.code === "classification_not_successful"), JSON.stringify(c.warnings));
    const m = c.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children" });
    assert.equal(m.rowIds.length, 8);
    assert.equal(m.values.length, 8 * m.columnIds.length);
    for (let r = 0; r < 8; r++) {
      const row = m.values.subarray(r * m.columnIds.length, (r + 1) * m.columnIds.length);
      assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-9);
    }
    const md = c.metadataTable();
    assert.equal(md.rows.length, 8);
    assert.ok(md.rows.every((row) => typeof row[md.columns.indexOf("sample_id")] === "string"));
    assert.ok(md.rows.every((row) => typeof row[md.columns.indexOf("project")] === "string"));
    c.free();
  });

  await t.test("collection: more than one analysis job is a warning (§9.1), as data", async () => {
    const jobs = new Set(ok.map((c) => c.job.$uri ?? c.job.$ref));
    if (jobs.size < 2) return t.diagnostic("the server's classifications share one job; nothing to check");
    const c = await ocx.collection(ok, { concurrency: 8 });
    assert.ok(c.warnings.some((w) => w.code === "multiple_analysis_types"), JSON.stringify(c.warnings));
    c.free();
  });

  await t.test("collection: bounded concurrency (timed with a latency fault)", async () => {
    // The server generates each results file on demand (CPU-bound on 2 cores), so the latency is
    // made large enough that waiting, not generating, dominates.
    const items = ok.slice(0, 4);
    const lat = await srv.addFault({ target: "api", path: "/__signed/results/classifications/*", latency: { ms: 800 } });
    let started = performance.now();
    (await ocx.collection(items, { concurrency: 1 })).free();
    const serial = performance.now() - started;
    started = performance.now();
    (await ocx.collection(items, { concurrency: 4 })).free();
    const parallel = performance.now() - started;
    assert.equal(await srv.faultHits(lat), 8);
    await srv.clearFaults();
    t.diagnostic(`4 results with 800 ms latency each: concurrency 1 ${serial.toFixed(0)} ms, concurrency 4 ${parallel.toFixed(0)} ms`);
    assert.ok(serial >= 4 * 800, `concurrency 1: ${serial.toFixed(0)} ms`);
    assert.ok(parallel < serial / 2, `concurrency 4: ${parallel.toFixed(0)} ms vs ${serial.toFixed(0)} ms`);
  });

  await t.test("collection: skipMissing false refuses unsuccessful ones; samples via primary classification; ids", async () => {
    if (failed.length) {
      await rejectsWith(ocx.collection([ok[0], failed[0]], { skipMissing: false }), "invalid_argument", /not successful/);
    }
    const samples = (await ocx.samples.where()).slice(0, 10);
    const fromSamples = await ocx.collection(samples);
    const withPrimary = samples.filter((s) => s.primary_classification);
    assert.ok(fromSamples.length <= withPrimary.length);
    fromSamples.free();
    const byId = await ocx.collection(ok.slice(0, 2).map(idOf));
    assert.deepEqual(byId.classificationIds, ok.slice(0, 2).map(idOf));
    byId.free();
    await rejectsWith(ocx.collection([ok[0], samples[0]]), "invalid_argument", /not both/);
    await rejectsWith(ocx.collection([ok[0], ok[0]]), "invalid_argument", /duplicate/);
    await rejectsWith(ocx.collection(["no-such-id"]), "not_found");
    const ctl = new AbortController();
    const pending = ocx.collection(ok.slice(0, 3), { signal: ctl.signal });
    ctl.abort();
    await rejectsWith(pending, "aborted");
    assert.throws(() => ocx.collection([], { onProgress: 5 }), (e) => e.code === "invalid_argument");
    assert.throws(() => ocx.collection([], { bogus: 1 }), (e) => e.code === "invalid_argument");
  });
});
