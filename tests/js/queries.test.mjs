// Every operator against the local server returns exactly the records it should, pages stay in
// order when fetched concurrently, retries and aborts behave (checks in query-checks.js, shared
// with the Chromium run in tests/page/queries.test.mjs).
import test from "node:test";
import { OneCodex } from "onecodex-wasm";
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
  await t.test("unauthorized and forbidden", async () => accessChecks(OneCodex, srv.api, srv.apiKey, (await srv.info()).outsider_private_sample));
});
