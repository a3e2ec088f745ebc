// The client in Chromium against the local server on another origin: CORS pre-flights, fetch,
// paging, typed errors and abort, as a dashboard uses them.
import test from "node:test";
import assert from "node:assert/strict";
import { withServer } from "../js/support.mjs";
import { openPage, packagePage } from "./browser.mjs";

test("the client in a browser page, cross-origin", async (t) => {
  const srv = await withServer(t, ["--samples", "40"]);
  const { browser, url } = await packagePage(t);

  const { page, problems } = await openPage(browser, url);
  const result = await page.evaluate(async ({ api, key }) => {
    const { OneCodex, where } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: key, baseUrl: api });
    const some = await ocx.samples.where(where.samples.field("size").gte(1), { sort: "size", limit: 5 });
    const ids = [];
    for await (const s of ocx.samples.iter()) ids.push(s.$uri);
    const errors = {};
    try { await new OneCodex({ apiKey: "nope", baseUrl: api }).account(); } catch (e) { errors.wrongKey = [e.name, e.code, e.status]; }
    const ctl = new AbortController();
    const pending = ocx.samples.where(null, { signal: ctl.signal });
    ctl.abort();
    try { await pending; } catch (e) { errors.aborted = e.code; }
    return { sizes: some.map((s) => s.size), count: ids.length, unique: new Set(ids).size, errors };
  }, { api: srv.api, key: srv.apiKey });

  assert.equal(result.sizes.length, 5);
  assert.deepEqual(result.sizes, [...result.sizes].sort((a, b) => b - a));
  assert.equal(result.count, 40);
  assert.equal(result.unique, 40);
  assert.deepEqual(result.errors.wrongKey, ["OneCodexError", "unauthorized", 401]);
  assert.equal(result.errors.aborted, "aborted");
  // The 401 is logged by Chromium as a failed resource load; nothing else may go wrong.
  assert.deepEqual(problems.filter((p) => !/status of 401/.test(p)), []);
});
