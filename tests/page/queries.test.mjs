// The query checks of tests/js/query-checks.js run in Chromium, cross-origin to the local server.
import test from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { withServer } from "../js/support.mjs";
import { openPage, root, packagePage } from "./browser.mjs";

test("queries against the local server, in Chromium", async (t) => {
  const srv = await withServer(t, ["--samples", "250"]);
  const { browser, url } = await packagePage(t, { mounts: { "/checks/": path.join(root, "tests", "js") } });
  const { page, problems } = await openPage(browser, url);
  const env = { api: srv.api, key: srv.apiKey, outsider: (await srv.info()).outsider_private_sample };

  // The page asks Node for faults (the admin is loopback-only and not a browser's business).
  const ids = [];
  await page.exposeFunction("setFault", async (rule) => { const id = await srv.addFault(rule); ids.push(id); return id; });
  await page.exposeFunction("faultHits", (id) => srv.faultHits(id));

  const inPage = (name) => page.evaluate(async ({ name, env }) => {
    const m = await import("/checks/query-checks.js");
    const { OneCodex } = await import("onecodex-wasm");
    const ocx = new OneCodex({ apiKey: env.key, baseUrl: env.api });
    const setFault = async (rule) => { const id = await window.setFault(rule); return () => window.faultHits(id); };
    switch (name) {
      case "operators": return m.operatorChecks(ocx);
      case "order": return m.concurrentOrderCheck(ocx, setFault);
      case "retries": return m.retryChecks(ocx, setFault);
      case "abort": return m.abortMidIterCheck(ocx);
      case "access": return m.accessChecks(OneCodex, env.api, env.key, env.outsider);
    }
  }, { name, env });

  await t.test("each operator returns exactly the matching samples", async () => assert.ok(await inPage("operators") >= 26));
  await t.test("concurrent pages keep their order", async () => { await inPage("order"); await srv.clearFaults(); });
  await t.test("429 with Retry-After and 503s are survived", async () => { await inPage("retries"); await srv.clearFaults(); });
  await t.test("abort in the middle of iter()", () => inPage("abort"));
  await t.test("unauthorized and forbidden", () => inPage("access"));
  // Failed loads the checks provoke on purpose (401, 403, 429, 503) are logged by Chromium.
  assert.deepEqual(problems.filter((p) => !/status of (401|403|429|503)/.test(p)), []);
});
