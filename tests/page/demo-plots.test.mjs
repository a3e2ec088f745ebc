// The demo page's plots panel in headless Chromium against the local server: the samples of the
// current filter loaded in its Web Worker with progress, then each plot drawn by vega-embed with
// the marks its data calls for, the group test under the chart, PNG/SVG export and the chart's
// data as CSV, and an impossible choice shown as an error in the panel.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import { withServer } from "../js/support.mjs";
import { openPage, screenshot, demoPage } from "./browser.mjs";

// CSV rows (RFC 4180, as the page writes them) as objects.
function parseCsv(text) {
  const rows = [];
  let row = [], cell = "", quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') { cell += '"'; i++; } else if (ch === '"') quoted = false; else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") { row.push(cell); cell = ""; } else if (ch === "\n") { row.push(cell); rows.push(row); row = []; cell = ""; } else cell += ch;
  }
  const [head, ...body] = rows;
  return body.map((r) => Object.fromEntries(head.map((h, i) => [h, r[i]])));
}

// The marks of the chart itself (legends draw rects and symbols too).
const withValues = (rows) => rows.filter((r) => Object.values(r).every((v) => v !== "")).length;
const marks = (page, kind) => page.locator(`#plot svg g.mark-${kind}.role-mark > path`).count();

test("demo page: the plots panel", { timeout: 300_000 }, async (t) => {
  const srv = await withServer(t, ["--samples", "60"]);
  const { browser, url } = await demoPage(t, srv);
  const { page, problems } = await openPage(browser, url);
  await page.waitForSelector("body[data-connected=true]");
  await page.waitForFunction(() => document.querySelectorAll("#samples tbody tr").length > 0);

  async function draw(kind, choices = {}) {
    await page.selectOption("#plot-kind", kind);
    for (const [id, value] of Object.entries(choices)) {
      if ((await page.locator(`#${id}`).evaluate((el) => el.tagName)) === "SELECT") await page.selectOption(`#${id}`, value);
      else await page.fill(`#${id}`, value);
    }
    await page.click("#plot-draw");
    await page.waitForFunction((k) => document.body.dataset.plot === k || document.body.dataset.plotError, kind, { timeout: 60_000 });
    assert.equal(await page.getAttribute("body", "data-plot-error"), null, await page.textContent("#plot-error"));
    const [csv] = await Promise.all([page.waitForEvent("download"), page.click("#plot-csv")]);
    return parseCsv(fs.readFileSync(await csv.path(), "utf8"));
  }

  // All samples of the filter (the table shows them too), fetched in the worker with progress.
  await page.selectOption("#plot-source", "filter");
  await page.click("#plot-load");
  await page.waitForFunction(() => document.body.dataset.plotSamples || document.body.dataset.plotError, null, { timeout: 60_000 });
  assert.equal(await page.getAttribute("body", "data-plot-error"), null, await page.textContent("#plot-error"));
  const n = Number(await page.getAttribute("body", "data-plot-samples"));
  assert.ok(n >= 50, `samples loaded: ${n}`);
  assert.match(await page.textContent("#plot-status"), new RegExp(`^${n} sample\\(s\\) loaded`));
  const fields = await page.$$eval("#plot-field option", (os) => os.map((o) => o.value));
  assert.ok(fields.includes("site"), `fields: ${fields}`);

  // Bar graph: one rect per (sample, taxon) row of its data, top 10 genera and Other.
  let rows = await draw("bargraph", { "plot-rank": "genus", "plot-topn": "10" });
  assert.equal(new Set(rows.map((r) => r.classification_id)).size, n);
  assert.ok(new Set(rows.map((r) => r.tax_name)).size <= 11);
  assert.equal(await marks(page, "rect"), rows.length);
  await screenshot(page, "plots-bargraph");

  // Grouped by site: one bar per site.
  rows = await draw("bargraph", { "plot-field": "site" });
  const sites = new Set(rows.map((r) => r.site));
  assert.ok(sites.size >= 3 && sites.size < n, `groups: ${[...sites]}`);
  assert.equal(await marks(page, "rect"), rows.length);

  // Heatmap of the top 10 genera: a row per sample and genus, a cell for each with a value
  // (samples without abundances have none).
  rows = await draw("heatmap", { "plot-field": "", "plot-topn": "10" });
  assert.equal(rows.length, n * 10);
  let filled = withValues(rows);
  assert.ok(filled > n * 5, `cells with values: ${filled}`);
  assert.equal(await marks(page, "rect"), filled);
  await screenshot(page, "plots-heatmap");

  // Distances: n × n cells, and PERMANOVA under the chart when a field is chosen.
  rows = await draw("distance", { "plot-diversity": "braycurtis", "plot-metric": "readcount_w_children", "plot-field": "site" });
  assert.equal(rows.length, n * n);
  filled = withValues(rows);
  assert.ok(filled >= n * (n - 1), `cells with values: ${filled}`);
  assert.equal(await marks(page, "rect"), filled);
  assert.match(await page.textContent("#plot-stats"), /^PERMANOVA: statistic [\d.]+, p = 0\.00100 over /);
  await screenshot(page, "plots-distance");

  // PCA and PCoA: one point per sample, coloured by site.
  rows = await draw("pca", { "plot-field": "site" });
  assert.equal(rows.length, n);
  assert.equal(await marks(page, "symbol"), n);
  assert.ok(rows.every((r) => Number.isFinite(Number(r.PC1)) && Number.isFinite(Number(r.PC2))));
  await screenshot(page, "plots-pca");
  rows = await draw("pcoa", { "plot-field": "site", "plot-diversity": "weighted_unifrac" });
  assert.equal(rows.length, n);
  assert.equal(await marks(page, "symbol"), n);
  assert.match(await page.textContent("#plot-status"), /^Built in \d+ ms/);
  assert.match(await page.textContent("#plot-stats"), /^PERMANOVA/);
  await screenshot(page, "plots-pcoa");

  // Alpha diversity by site: a box per site, and the alpha-diversity test under it.
  rows = await draw("metadata", { "plot-field": "site", "plot-diversity": "shannon" });
  assert.equal(rows.length, n);
  const groups = new Set(rows.map((r) => r.site)).size;
  assert.ok(groups >= 3);
  assert.match(await page.textContent("#plot-stats"), /^Kruskal–Wallis: statistic [\d.]+, p = /);
  assert.ok((await marks(page, "rect")) >= groups, "a box per group");
  await screenshot(page, "plots-metadata");

  // The functional heatmap of the samples with profiles (GO terms in CPM, as Python's default):
  // a row per profile and function.
  rows = await draw("functional", { "plot-field": "", "plot-topn": "10" });
  const profiles = new Set(rows.map((r) => r.Label)).size;
  assert.ok(profiles > 0 && profiles < n, `profiles: ${profiles}`);
  assert.equal(new Set(rows.map((r) => r.function_id)).size, 10);
  assert.equal(await marks(page, "rect"), rows.filter((r) => r.value !== "").length);
  await screenshot(page, "plots-functional");

  // Export: PNG and SVG of the chart drawn.
  const [png] = await Promise.all([page.waitForEvent("download"), page.click("#plot-png")]);
  assert.deepEqual([...fs.readFileSync(await png.path()).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  const [svg] = await Promise.all([page.waitForEvent("download"), page.click("#plot-svg")]);
  assert.match(fs.readFileSync(await svg.path(), "utf8"), /^<svg[^>]*>/);

  // An impossible choice: Euclidean distances are not offered by plot_distance's heatmap.
  await page.selectOption("#plot-kind", "distance");
  await page.selectOption("#plot-diversity", "euclidean");
  await page.click("#plot-draw");
  await page.waitForFunction(() => document.body.dataset.plotError, null, { timeout: 30_000 });
  assert.match(await page.textContent("#plot-error"), /^That input is not valid: /);
  await screenshot(page, "plots-error");
  assert.deepEqual(problems, []);
});
