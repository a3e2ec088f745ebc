// The demo page in headless Chromium against the local server: it loads the wasm package,
// connects with the seeded key, offers only the operators a field takes, previews the `where`
// JSON, and pulls a second page of samples when the table is scrolled to its end.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { withServer } from "../js/support.mjs";
import { openPage, screenshot, demoPage } from "./browser.mjs";

test("demo page: connect, filter builder, infinite scroll", async (t) => {
  const srv = await withServer(t, ["--samples", "250"]);
  const { browser, url } = await demoPage(t, srv);

  const { page, problems } = await openPage(browser, url);
  await page.waitForSelector("body[data-ready=true]");
  assert.match(await page.textContent("#status"), /onecodex-wasm \d+\.\d+\.\d+ ready/);
  await page.waitForSelector("body[data-connected=true]");
  assert.match(await page.textContent("#account"), /^Connected as /);
  assert.equal(await page.inputValue("#api-key"), srv.apiKey, "prefilled for the local server");

  // The first page of samples, then a second one when the end of the table is scrolled into view.
  await page.waitForFunction(() => document.querySelectorAll("#samples tbody tr").length >= 100);
  const firstRows = await page.locator("#samples tbody tr").count();
  await page.locator("#more").scrollIntoViewIfNeeded();
  await page.waitForFunction((n) => document.querySelectorAll("#samples tbody tr").length > n, firstRows);
  assert.ok(Number(await page.getAttribute("body", "data-pages")) >= 2);

  // A sample: its metadata and analyses, and a download of its reads with progress.
  const firstId = await page.getAttribute("#samples tbody tr:first-child", "data-id");
  await page.focus("#samples tbody tr:first-child");
  await page.keyboard.press("Enter");
  await page.waitForFunction((id) => document.body.dataset.sample === id, firstId);
  assert.ok((await page.textContent("#sample-fields")).includes(firstId));
  await page.waitForFunction(() => document.querySelectorAll("#analyses li").length > 0);
  assert.match(await page.textContent("#analyses"), /complete|running|No analyses/);
  // Its classification, parsed in wasm: genus rows by default, searchable, then species.
  await page.waitForFunction(() => Number(document.body.dataset.taxa) > 0, null, { timeout: 30_000 });
  const genera = Number(await page.getAttribute("body", "data-taxa"));
  const firstName = (await page.textContent("#taxa tbody tr:first-child td")).trim();
  await page.fill("#taxon-search", firstName);
  assert.ok(Number(await page.getAttribute("body", "data-taxa")) >= 1);
  assert.ok(Number(await page.getAttribute("body", "data-taxa")) < genera, "search narrows the rows");
  await page.fill("#taxon-search", "");
  await page.selectOption("#rank", "species");
  assert.ok(Number(await page.getAttribute("body", "data-taxa")) > 0);
  const values = await page.$$eval("#taxa tbody td.num", (tds) => tds.map((td) => Number(td.textContent)));
  assert.deepEqual(values, [...values].sort((a, b) => b - a), "sorted by value, largest first");
  const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#export-csv")]);
  const text = fs.readFileSync(await csv.path(), "utf8");
  assert.match(text.split("\n")[0], /tax_id/);
  assert.ok(text.split("\n").length > genera, "the whole table is exported");

  const sample = await (await fetch(`${srv.api}/api/v1/samples/${firstId}`, { headers: { authorization: "Basic " + Buffer.from(srv.apiKey + ":").toString("base64") } })).json();
  await page.click("#download-sample");
  await page.waitForFunction(() => document.body.dataset.downloaded !== undefined);
  assert.equal(Number(await page.getAttribute("body", "data-downloaded")), sample.size, "the whole file came");
  assert.match(await page.textContent("#download-status"), /^Downloaded /);
  await screenshot(page, "demo-sample");

  // The operator list follows the field.
  assert.equal(await page.textContent("#where-preview"), '{"filename": {"$iendswith": ".fastq.gz"}}');
  await page.selectOption("#field", "status");
  const statusOps = await page.$$eval("#operator option", (os) => os.map((o) => o.value));
  assert.deepEqual(statusOps, ["$eq", "$ne", "$in"], "enum-backed: whole values only");
  await page.selectOption("#field", "size");
  const ops = await page.$$eval("#operator option", (os) => os.map((o) => o.value));
  assert.ok(ops.includes("$between") && !ops.includes("$icontains"), `size operators: ${ops}`);
  await page.selectOption("#operator", "$between");
  await page.fill("#value", "1000, 5000000");
  assert.equal(await page.textContent("#where-preview"), '{"size": {"$between": [1000, 5000000]}}');
  await page.fill("#value", "1000");
  assert.match(await page.textContent("#filter-error"), /^invalid_filter: .*'size'.*\$between.*two values/);
  await screenshot(page, "demo-filter-error");

  // A real search: only matching samples come back.
  await page.fill("#value", "0, 3000000");
  await page.click("#add-condition");
  await page.click("#search");
  await page.waitForFunction(() => /shown/.test(document.querySelector("#sample-count").textContent) && document.body.dataset.pages === "1");
  const sizes = await page.$$eval("#samples tbody td.num", (tds) => tds.map((td) => parseFloat(td.textContent)));
  assert.ok(sizes.length > 0 && sizes.every((mb) => mb <= 3.0), `sizes in MB: ${sizes.slice(0, 5)}`);
  await screenshot(page, "demo-samples");
  assert.deepEqual(problems, []);
});
