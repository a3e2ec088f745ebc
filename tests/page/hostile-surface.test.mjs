// The whole public surface against generated hostile arguments in Chromium (issue 17, items 3, 4
// and 10 in a browser): the Node test's generator and surfaces (tests/js/hostile-values.mjs),
// loaded by URL into a page with the package's browser entries. Fewer calls per function than
// in Node: the page runs them one by one over the DevTools protocol's single evaluate.
import test from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openPage, packagePage } from "./browser.mjs";
import { generatedResults } from "../js/generated.mjs";

const shared = path.dirname(fileURLToPath(import.meta.resolve("../js/hostile-values.mjs")));
const options = { seed: Number(process.env.HOSTILE_SEED ?? 20261205), calls: Number(process.env.HOSTILE_CALLS_PAGE ?? 16) };

test("in Chromium, the client's and the tables module's surfaces survive hostile arguments", async (t) => {
  const items = generatedResults(t, 4).map((x) => ({ classificationId: x.classificationId, bytes: Array.from(x.bytes) }));
  const { browser, url } = await packagePage(t, { mounts: { "/shared/": shared } });
  const { page, problems } = await openPage(browser, url);
  const out = await page.evaluate(async ({ items, options }) => {
    const { clientSurface, tablesSurface } = await import("/shared/hostile-values.mjs");
    const client = await import("onecodex-wasm");
    const tables = await import("onecodex-wasm/tables");
    const bytes = items.map((x) => ({ classificationId: x.classificationId, bytes: new Uint8Array(x.bytes) }));
    return { client: await clientSurface(client, options), tables: await tablesSurface(tables, bytes, options) };
  }, { items, options });
  for (const [name, r] of Object.entries(out)) {
    assert.ok(r.targets > 20 && r.calls >= r.targets * options.calls, `${name}: ${r.calls} calls over ${r.targets} functions`);
    assert.deepEqual(r.failures, [], `${name}: ${r.failures.length} of ${r.calls} calls ended outside the contract:\n${r.failures.slice(0, 40).join("\n")}`);
  }
  // Console errors from rejected fetches to the closed port are expected; page errors are not.
  assert.deepEqual(problems.filter((p) => !/Failed to load resource|net::ERR_CONNECTION_REFUSED|ERR_CONNECTION/.test(p)), []);
});
