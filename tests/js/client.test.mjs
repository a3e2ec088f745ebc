// The client against the local One Codex server over real HTTP: queries, paging, objects, errors,
// retries and aborts, as a Node script uses them.
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex, isOneCodexError } from "onecodex-wasm";
import { withServer, idOf } from "./support.mjs";

const rejectsWith = (promise, code, extra = () => true) =>
  assert.rejects(promise, (e) => {
    assert.ok(isOneCodexError(e), `not a OneCodexError: ${e}`);
    assert.equal(e.code, code, e.message);
    return extra(e);
  });

test("the client against the local server", async (t) => {
  const srv = await withServer(t);
  const seen = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, onRequest: (r) => seen.push(r) });

  await t.test("account", async () => {
    const account = await ocx.account();
    assert.match(account.user.$ref, /^\/api\/v1\/users\//);
  });

  await t.test("where: server-side filter, sort and limit", async () => {
    const all = await ocx.samples.where({ filename: { $iendswith: ".fastq.gz" } });
    assert.ok(all.length > 5, `only ${all.length} samples`);
    assert.ok(all.every((s) => s.filename.toLowerCase().endsWith(".fastq.gz")));
    const top = await ocx.samples.where({ size: { $gte: 1 } }, { sort: ["size"], limit: 7 });
    assert.equal(top.length, 7);
    for (let i = 1; i < top.length; i++) assert.ok(top[i - 1].size >= top[i].size, "sorted by size descending");
    const between = await ocx.samples.where({ size: { $gte: top[6].size, $lte: top[0].size } });
    assert.ok(between.every((s) => s.size >= top[6].size && s.size <= top[0].size), "two operators on one field mean AND");
  });

  await t.test("iter and pages page through cursors as they arrive", async () => {
    const viaWhere = (await ocx.samples.where()).map(idOf);
    assert.ok(viaWhere.length > 50, "more than one page of samples (per_page=100 is not reached with 60, so pages come from the cursor)");
    const viaIter = [];
    for await (const s of ocx.samples.iter()) viaIter.push(idOf(s));
    assert.deepEqual(viaIter, viaWhere);
    const stream = ocx.projects.pages();
    const first = await stream.next();
    assert.ok(Array.isArray(first) && first.length > 0);
    assert.equal(typeof stream.total, "number");
    let n = first.length;
    for (let p = await stream.next(); p !== undefined; p = await stream.next()) n += p.length;
    assert.equal(n, stream.total);
    assert.equal(stream.done, true);
    stream.free();
  });

  await t.test("client-side predicate applies before the limit", async () => {
    const pred = (s) => s.size % 2 === 0;
    const got = await ocx.samples.where(null, { filter: pred, limit: 3 });
    assert.equal(got.length, 3);
    assert.ok(got.every(pred));
  });

  await t.test("get, update, delete", async () => {
    const [sample] = await ocx.samples.where(null, { limit: 1 });
    const again = await ocx.samples.get(idOf(sample));
    assert.equal(again.$uri, sample.$uri);
    assert.equal(await ocx.samples.get("ffffffffffffffff"), null, "null only for 404");
    const [project] = await ocx.projects.where(null, { limit: 1 });
    const updated = await ocx.samples.update(idOf(sample), { project: project.$uri });
    assert.equal(updated.project.$ref ?? updated.project.$uri, project.$uri);
    const reread = (await ocx.samples.get(idOf(sample))).project;
    assert.equal((reread.$ref ?? reread.$uri).split("/").pop(), idOf(project));
    const [victim] = await ocx.samples.where(null, { limit: 1, sort: "^filename" });
    assert.equal(await ocx.samples.delete(idOf(victim)), true);
    assert.equal(await ocx.samples.get(idOf(victim)), null);
    await rejectsWith(ocx.samples.delete(idOf(victim)), "not_found", (e) => e.status === 404);
  });

  await t.test("another user's private sample is forbidden, not null", async () => {
    const info = await srv.info();
    await rejectsWith(ocx.samples.get(info.outsider_private_sample), "forbidden", (e) => e.status === 403);
  });

  await t.test("bad input is refused before any request", async () => {
    const before = seen.length;
    assert.throws(() => ocx.samples.where({ status: { $contains: "avail" } }), (e) => e.code === "invalid_filter" && /status/.test(e.message));
    assert.throws(() => ocx.samples.where({ nope: 1 }), (e) => e.code === "invalid_filter" && /unknown field 'nope'/.test(e.message));
    assert.throws(() => ocx.samples.update("abc", { filename: "x" }), (e) => e.code === "invalid_argument");
    assert.throws(() => ocx.samples.where({ platform: "x" }, { public: true }), (e) => /Cannot filter public samples by metadata/.test(e.message));
    assert.throws(() => ocx.tags.where(null, { organization: true }), (e) => e.code === "invalid_argument");
    assert.throws(() => ocx.samples.where(null, { limt: 3 }), (e) => e.code === "invalid_argument" && /limt/.test(e.message));
    assert.equal(seen.length, before, "no request was made");
  });

  await t.test("metadata join: samples by a metadata field", async () => {
    const [meta] = await ocx.metadata.where({ platform: { $ne: null } }, { limit: 1 });
    const samples = await ocx.samples.where({ platform: meta.platform });
    assert.ok(samples.length > 0);
    const metas = await ocx.resolveAll(samples.map((s) => s.metadata));
    assert.ok(metas.every((m) => m.platform === meta.platform));
  });

  await t.test("resolveAll uses one listing per resource", async () => {
    const samples = await ocx.samples.where(null, { limit: 5 });
    const before = seen.length;
    const resolved = await ocx.resolveAll([...samples.map((s) => s.owner), ...samples.map((s) => s.metadata)]);
    assert.equal(resolved.length, 10);
    assert.ok(resolved.every((o) => o && o.$uri));
    assert.equal(seen.length - before, 2, "users once, metadata once");
  });

  await t.test("onRequest sees requests with the key redacted", () => {
    const r = seen.find((x) => x.headers.Authorization);
    assert.equal(r.headers.Authorization, "Basic <redacted>");
    assert.ok(!JSON.stringify(seen).includes(srv.apiKey));
  });

  await t.test("retries 503 as the server asks, and the fault really fired", async () => {
    const id = await srv.addFault({ target: "api", method: "GET", path: "/api/v1/account", respond: { status: 503, retry_after: 0 }, times: 2 });
    const account = await ocx.account();
    assert.ok(account.user);
    assert.equal(await srv.faultHits(id), 2);
  });

  await t.test("exhausted retries give a typed error", async () => {
    const fast = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, retry: { retries: 1, backoffMs: [0] } });
    const id = await srv.addFault({ target: "api", path: "/api/v1/account", respond: { status: 502 }, times: 5 });
    await rejectsWith(fast.account(), "server", (e) => e.status === 502);
    assert.equal(await srv.faultHits(id), 2, "one attempt and one retry");
    await srv.clearFaults();
  });

  await t.test("abort and timeout", async () => {
    const ctl = new AbortController();
    ctl.abort();
    await rejectsWith(ocx.samples.where(null, { signal: ctl.signal }), "aborted");
    const id = await srv.addFault({ target: "api", path: "/api/v1/account", latency: { ms: 2000 }, times: 1 });
    const impatient = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, timeoutMs: 200, retry: { retries: 0 } });
    await rejectsWith(impatient.account(), "timeout");
    assert.equal(await srv.faultHits(id), 1);
    await srv.clearFaults();
  });

  await t.test("a wrong key is unauthorized and never echoed", async () => {
    const wrong = new OneCodex({ apiKey: "wrong-secret-key", baseUrl: srv.api });
    await rejectsWith(wrong.samples.where(), "unauthorized", (e) => e.status === 401 && !e.message.includes("wrong-secret-key"));
  });

  await t.test("jobs: run one and read the new analysis", async () => {
    const [job] = await ocx.jobs.where({ name: "One Codex Database" }, { public: true });
    assert.ok(job, "the seeded One Codex Database job");
    const [sample] = await ocx.samples.where(null, { limit: 1 });
    const analysis = await ocx.jobs.run(idOf(job), idOf(sample), { description: "  from a test  " });
    assert.match(analysis.$uri, /^\/api\/v1\/(analyses|classifications)\//);
    assert.equal((await ocx.analyses.get(idOf(analysis))).$uri.split("/").pop(), idOf(analysis));
  });
});

test("a builder filter queries the server", async (t) => {
  const { where } = await import("onecodex-wasm");
  const srv = await withServer(t, ["--samples", "30"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const filter = where.samples.field("size").gte(1).and(where.samples.field("filename").icontains("_R1"));
  const viaBuilder = (await ocx.samples.where(filter)).map(idOf);
  const viaObject = (await ocx.samples.where({ size: { $gte: 1 }, filename: { $icontains: "_R1" } })).map(idOf);
  assert.ok(viaBuilder.length > 0);
  assert.deepEqual(viaBuilder, viaObject);
});
