// The demo page's upload panel in Chromium against the local server and its S3: a paired FASTQ
// picked as files is paired automatically and uploaded with progress to 100%, and the new sample
// is on the server; a larger upload is cancelled mid-way.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startStaticServer } from "../../scripts/serve.mjs";
import { withServer } from "../js/support.mjs";
import { launch, openPage, root, screenshot } from "./browser.mjs";

const fixtures = path.resolve(root, "../shared/fixtures/files");
const have = fs.existsSync(fixtures);
if (!have && process.env.CI === "true") throw new Error(`fixtures missing: ${fixtures}`);

test("demo page: upload a pair with progress, cancel another", { skip: !have && "fixtures missing" }, async (t) => {
  const srv = await withServer(t, ["--samples", "10"]);
  const config = { apiBase: srv.api, s3Endpoint: srv.s3, apiKey: srv.apiKey, local: true };
  const web = await startStaticServer({
    mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") },
    routes: { "/config.json": () => [200, "application/json", JSON.stringify(config)] },
  });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-demo-up-"));
  const browser = await launch();
  t.after(async () => { await browser.close(); await web.close(); fs.rmSync(tmp, { recursive: true, force: true }); });

  const { page, problems } = await openPage(browser, web.url + "/");
  await page.waitForSelector("body[data-connected=true]");

  // A pair, picked in any order: paired by name, uploaded as one sample.
  await page.setInputFiles("#upload-files", [path.join(fixtures, "test_R2_L001.fq.gz"), path.join(fixtures, "test_R1_L001.fq.gz")]);
  await page.waitForSelector("#uploads tbody tr[data-state=done]", { timeout: 60_000 });
  assert.match(await page.textContent("#uploads tbody tr"), /test_R1_L001\.fq\.gz \+ test_R2_L001\.fq\.gz.*100% done/);
  assert.equal(await page.$eval("#uploads progress", (p) => p.value), 1);
  const id = await page.getAttribute("#uploads tbody tr[data-state=done]", "data-sample");
  const auth = { authorization: "Basic " + Buffer.from(srv.apiKey + ":").toString("base64") };
  const sample = await (await fetch(`${srv.api}/api/v1/samples/${id}`, { headers: auth })).json();
  assert.match(sample.filename, /test_R1_L001/);
  await screenshot(page, "demo-upload");

  // A larger file, slowed down at S3, cancelled mid-way.
  const big = path.join(tmp, "big_sample.fastq");
  fs.writeFileSync(big, Buffer.alloc(20 * 1024 * 1024, "@r\nACGT\n+\nIIII\n"));
  const slow = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 3000 } });
  await page.setInputFiles("#upload-files", [big]);
  const row = page.locator("#uploads tbody tr", { hasText: "big_sample.fastq" });
  await row.locator(".pct").filter({ hasText: /uploading/ }).waitFor({ timeout: 30_000 });
  // Cancel once a part is really held at S3.
  for (let i = 0; i < 100 && (await srv.faultHits(slow)) === 0; i++) await new Promise((r) => setTimeout(r, 100));
  await row.locator("button.cancel").click();
  await page.waitForSelector("#uploads tbody tr[data-state=cancelled]");
  assert.ok(await srv.faultHits(slow) >= 1, "parts were in flight when it was cancelled");
  assert.deepEqual(problems.filter((p) => !/status of 4\d\d|ERR_ABORTED|net::/.test(p)), []);
});
