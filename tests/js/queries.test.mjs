// Every operator against the local server returns exactly the records it should, pages stay in
// order when fetched concurrently, retries and aborts behave (checks in query-checks.js, shared
// with the Chromium run in tests/page/queries.test.mjs).
import test from "node:test";
import assert from "node:assert/strict";
import { OneCodex, where } from "onecodex-wasm";
import { withServer } from "./support.mjs";
import { operatorChecks, concurrentOrderCheck, retryChecks, abortMidIterCheck, accessChecks } from "./query-checks.js";

test("queries against the local server, in Node", async (t) => {
  const srv = await withServer(t, ["--samples", "250"]);
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api });
  const setFault = async (rule) => { const id = await srv.addFault(rule); return () => srv.faultHits(id); };
  await t.test("each operator returns exactly the matching samples", () => operatorChecks(ocx));
  await t.test("concurrent pages keep their order", async () => { await concurrentOrderCheck(ocx, setFault); await srv.clearFaults(); });
  await t.test("429 with Retry-After and 503s are survived", async () => { await retryChecks(ocx, setFault); await srv.clearFaults(); });
  await t.test("abort in the middle of iter()", () => abortMidIterCheck(ocx));
  await t.test("tags by name in builder filters: resolved as in the object form", () => tagChecks(srv));
  await t.test("unauthorized and forbidden", async () => accessChecks(OneCodex, srv.api, srv.apiKey, (await srv.info()).outsider_private_sample));
});

// Tag names (and ids) in a samples filter are resolved to tag refs when the query runs (§4.6),
// whether the filter is the object form's `tags: [...]`, the builder's containsall/containsany or
// and({ tags: [...] }): the same requests and the same samples.
async function tagChecks(srv) {
  const urls = [];
  const ocx = new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api, onRequest: (r) => urls.push(`${r.method} ${r.url}`) });
  const requestsOf = async (run) => { urls.length = 0; const out = await run(); return { ids: out.map(idOf).sort(), urls: [...urls] }; };
  const all = await ocx.samples.where();
  const tagIds = (s) => s.tags.map((t) => (t.$ref ?? t.$uri).split("/").pop());
  // The two tags most used together, so "all of" and "any of" differ from each other and from everything.
  const count = new Map();
  for (const s of all) for (const id of tagIds(s)) count.set(id, (count.get(id) ?? 0) + 1);
  const [a, b] = [...count.entries()].sort((x, y) => y[1] - x[1]).map(([id]) => id);
  const tags = await ocx.tags.where({ id: [a, b] });
  const nameOf = (id) => tags.find((t) => idOf(t) === id).name;
  const [nameA, nameB] = [nameOf(a), nameOf(b)];

  const both = all.filter((s) => tagIds(s).includes(a) && tagIds(s).includes(b)).map(idOf).sort();
  const either = all.filter((s) => tagIds(s).includes(a) || tagIds(s).includes(b)).map(idOf).sort();
  assert.ok(both.length > 0 && both.length < either.length && either.length < all.length, `discriminating tags: ${both.length} ${either.length} ${all.length}`);

  const object = await requestsOf(() => ocx.samples.where({ size: { $gt: 0 }, tags: [nameA, b] }));
  assert.deepEqual(object.ids, both);
  const refs = encodeURIComponent(`{"$containsall": [{"$ref": "/api/v1/tags/${a}"}, {"$ref": "/api/v1/tags/${b}"}]}`).replace(/%20/g, "+");
  assert.ok(object.urls.at(-1).includes(refs), `tags sent as refs: ${object.urls.at(-1)}`);
  const builder = where.samples.field("tags").containsall([nameA, b]).field("size").gt(0);
  const viaBuilder = await requestsOf(() => ocx.samples.where(builder));
  assert.deepEqual(viaBuilder, object, "builder containsall: the same requests and samples as the object form");
  const viaAnd = await requestsOf(() => ocx.samples.where(where.samples.field("size").gt(0).and({ tags: [nameA, b] })));
  assert.deepEqual(viaAnd, object, "builder and({ tags: [...] })");
  const viaIter = await requestsOf(async () => { const out = []; for await (const s of ocx.samples.iter(builder)) out.push(s); return out; });
  assert.deepEqual(viaIter, object, "iter");
  const viaPages = await requestsOf(async () => {
    const out = [];
    const stream = ocx.samples.pages(builder);
    for (let page = await stream.next(); page; page = await stream.next()) out.push(...page);
    return out;
  });
  assert.deepEqual(viaPages, object, "pages");

  const any = await ocx.samples.where(where.samples.field("tags").containsany([nameA, nameB]));
  assert.deepEqual(any.map(idOf).sort(), either, "containsany by names");
  await assert.rejects(ocx.samples.where(where.samples.field("tags").containsall(["no such tag"])),
    (e) => e.code === "invalid_argument" && e.message === "unknown tag 'no such tag'");
}

const idOf = (o) => o.$uri.split("/").pop();
