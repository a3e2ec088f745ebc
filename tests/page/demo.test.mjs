// The demo page in headless Chromium: the wasm package loads in a real browser and the filter
// preview shows what encodeWhere produces; the operator list follows the field.
import test from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startStaticServer } from "../../scripts/serve.mjs";
import { launch, openPage, root, screenshot } from "./browser.mjs";

test("demo page: the filter preview is encoded by the wasm package", async (t) => {
  const server = await startStaticServer({ mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") } });
  const browser = await launch();
  t.after(async () => { await browser.close(); await server.close(); });

  const { page, problems } = await openPage(browser, server.url + "/");
  await page.waitForSelector("body[data-ready=true]");
  assert.match(await page.textContent("#status"), /onecodex-wasm \d+\.\d+\.\d+ ready/);
  assert.equal(await page.textContent("#where-preview"), '{"filename": {"$iendswith": ".fastq.gz"}}');

  await page.selectOption("#field", "size");
  const ops = await page.$$eval("#operator option", (os) => os.map((o) => o.value));
  assert.ok(ops.includes("$between") && !ops.includes("$icontains"), `size operators: ${ops}`);
  await page.selectOption("#operator", "$between");
  await page.fill("#value", "1000, 5000000");
  assert.equal(await page.textContent("#where-preview"), '{"size": {"$between": [1000, 5000000]}}');

  await page.fill("#value", "1000");
  assert.match(await page.textContent("#filter-error"), /^invalid_filter: .*'size'.*\$between.*two values/);
  assert.equal(await page.textContent("#where-preview"), "");
  await screenshot(page, "demo-filter-error");
  assert.deepEqual(problems, []);
});
