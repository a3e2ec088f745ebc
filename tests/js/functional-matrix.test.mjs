// ocx.functionalMatrix (§9.8, §16.3 item 17) against the local One Codex server: profile
// discovery in batches of 50 sample ids with the Python client's query, one condensed file per
// chosen profile (pre-signed, no credentials, bounded, with progress), and a matrix equal to the
// offline functionalMatrix over the same files. Bad options fail before any request.
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { functionalMatrix } from "onecodex-wasm/tables";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (fn, code, re) =>
  assert.rejects(fn, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (re) assert.match(e.message, re);
    return true;
  });

const sameMatrix = (got, want) => {
  assert.deepEqual(got.rowIds, want.rowIds);
  assert.deepEqual(got.columnIds, want.columnIds);
  assert.deepEqual(got.columnTaxonIds, want.columnTaxonIds);
  assert.deepEqual(got.featureNames, want.featureNames);
  assert.equal(got.values.length, want.values.length);
  assert.deepEqual(Array.from(got.values), Array.from(want.values));
};

test("ocx.functionalMatrix against the local server", async (t) => {
  const srv = await withServer(t, ["--samples", "240"]);
  const seen = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, onRequest: (r) => seen.push(r), retry: { backoffMs: [0] } });
  const samples = await ocx.samples.where();
  const profiles = (await ocx.functionalProfiles.where()).filter((p) => p.success);
  const sampleIds = samples.map(idOf);
  // The server has one functional job and at most one profile per sample: the chosen ones are
  // exactly the listed profiles of these samples, in sample order.
  const bySample = new Map(profiles.map((p) => [p.sample.$uri?.split("/").pop() ?? p.sample.$ref.split("/").pop(), p]));
  const expected = sampleIds.filter((s) => bySample.has(s)).map((s) => bySample.get(s));
  assert.ok(samples.length > 100, `samples: ${samples.length}`);
  assert.ok(expected.length >= 20, `samples with a functional profile: ${expected.length}`);

  // The condensed files, fetched here without the client.
  const files = await Promise.all(expected.map(async (p) => ({ id: idOf(p), bytes: new Uint8Array(await (await fetch(p.results_uri)).arrayBuffer()) })));

  await t.test("equals the offline functionalMatrix; requests as the Python client makes them", async () => {
    seen.length = 0;
    const progress = [];
    const m = await ocx.functionalMatrix(samples, { concurrency: 4, onProgress: (p) => progress.push(p) });

    // Defaults (pathways, coverage, stratified) are the offline function's.
    sameMatrix(m, functionalMatrix(files));
    assert.ok(m.columnTaxonIds !== null, "taxaStratified defaults to true");
    assert.deepEqual(m.rowIds, expected.map(idOf));
    assert.deepEqual(m.sampleIds, sampleIds.filter((s) => bySample.has(s)));
    assert.ok(m.columnIds.length > 0 && Object.keys(m.featureNames).length > 0);

    // Discovery: ceil(n / 50) listings, each `{"sample": {"$in": [≤ 50 bare ids]}}`, Python-spaced.
    const listings = seen.filter((r) => new URL(r.url).pathname === "/api/v1/functional_profiles");
    assert.equal(listings.length, Math.ceil(samples.length / 50));
    const asked = [];
    for (const r of listings) {
      const u = new URL(r.url);
      assert.match(u.search, /^\?where=%7B%22sample%22%3A\+%7B%22%24in%22%3A\+%5B%22[0-9a-f]{16}%22%2C\+%22/);
      assert.equal(u.search.split("&").slice(1).join("&"), "sort=%7B%7D&per_page=100&expand=all&page=1");
      const ids = JSON.parse(u.searchParams.get("where")).sample.$in;
      assert.ok(ids.length <= 50);
      asked.push(...ids);
    }
    assert.deepEqual(asked, sampleIds);
    // The listing embeds each job (expand=all): nothing else is read from the API.
    assert.ok(!seen.some((r) => r.url.includes("/api/v1/jobs")), "no job requests");

    // One pre-signed GET per chosen profile, without credentials.
    const signed = seen.filter((r) => r.url.includes("/__signed/results/functional_profiles/"));
    assert.equal(signed.length, expected.length);
    for (const r of signed) assert.ok(!Object.keys(r.headers).some((h) => h.toLowerCase() === "authorization"));
    assert.equal(seen.length, listings.length + signed.length, seen.map((r) => r.url).join("\n"));

    assert.equal(progress.length, expected.length);
    assert.deepEqual(progress.at(-1), { done: expected.length, total: expected.length });
    const missing = m.warnings.filter((w) => w.code === "no_functional_profile");
    assert.equal(missing.length, samples.length - expected.length);
    assert.match(missing[0].message, /^Sample [0-9a-f]{16} has no successful functional profile/);
    assert.ok(!m.warnings.some((w) => w.code === "mixed_functional_jobs"), "one job version");
  });

  await t.test("options reach the matrix: go / cpm unstratified, NaN kept, ids and URIs as samples", async () => {
    const some = expected.slice(0, 5).map((p) => p.sample.$uri ?? p.sample.$ref);
    const items = [some[0].split("/").pop(), some[1], ...some.slice(2).map(($uri) => ({ $uri }))];
    const options = { annotation: "go", metric: "cpm", taxaStratified: false, fillMissing: false };
    const m = await ocx.functionalMatrix(items, { ...options, concurrency: 1 });
    sameMatrix(m, functionalMatrix(files.slice(0, 5), options));
    assert.equal(m.columnTaxonIds, null);
    assert.ok(Array.from(m.values).some(Number.isNaN), "fillMissing false keeps empty cells");
    assert.deepEqual(m.warnings, []);
    const nan = await ocx.functionalMatrix(items, { annotation: "ko", filler: NaN });
    sameMatrix(nan, functionalMatrix(files.slice(0, 5), { annotation: "ko", filler: NaN }));
    assert.ok(Array.from(nan.values).some(Number.isNaN), "a NaN filler is passed as NaN, not dropped");
  });

  await t.test("bad options and inputs are typed errors before any request", async () => {
    seen.length = 0;
    const bad = [
      { annotation: "gene_family" },
      { annotation: "go", metric: "coverage" },
      { metric: "cpm" }, // pathways has no cpm
      { concurrency: 0 },
      { concurrency: 1.5 },
      { maxBytes: -1 },
      { maxBytes: 1.5 },
      { onProgress: 5 },
      { filler: "0" },
      { taxaStratified: "yes" },
      { bogus: 1 },
      { signal: {} },
    ];
    for (const options of bad) await rejectsWith(async () => ocx.functionalMatrix(samples, options), "invalid_argument");
    await rejectsWith(async () => ocx.functionalMatrix(["/api/v1/classifications/0123456789abcdef"]), "invalid_argument", /takes samples/);
    await rejectsWith(async () => ocx.functionalMatrix("0123456789abcdef"), "invalid_argument");
    await rejectsWith(async () => ocx.functionalMatrix(["a/b"]), "invalid_argument");
    assert.equal(seen.length, 0, seen.map((r) => r.url).join("\n"));
  });

  await t.test("a profile without its condensed file is not_found; abort rejects", async () => {
    const p = expected[0];
    // The first GET and the one after the refresh both fail.
    const f = await srv.addFault({ target: "api", path: `/__signed/results/functional_profiles/${idOf(p)}*`, respond: { status: 403 }, times: 2 });
    await rejectsWith(() => ocx.functionalMatrix([p.sample.$uri ?? p.sample.$ref]), "not_found", new RegExp(`Results are not available for functional profile ${idOf(p)}`));
    assert.equal(await srv.faultHits(f), 2);
    const ctl = new AbortController();
    const pending = ocx.functionalMatrix(samples, { signal: ctl.signal });
    ctl.abort();
    await rejectsWith(() => pending, "aborted");
  });
});
