// The demo page's upload panel in Chromium against the local server and its S3: a paired FASTQ
// picked as files is paired automatically and uploaded with progress to 100%, and the new sample
// is on the server; a larger upload is cancelled mid-way.
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { withServer } from "../js/support.mjs";
import { openPage, root, screenshot, demoPage } from "./browser.mjs";

const fixtures = path.resolve(root, "../shared/fixtures/files");
const have = fs.existsSync(fixtures);
if (!have && process.env.CI === "true") throw new Error(`fixtures missing: ${fixtures}`);

test("demo page: upload a pair with progress, cancel another", { skip: !have && "fixtures missing" }, async (t) => {
  const srv = await withServer(t, ["--samples", "10"]);
  const { browser, url } = await demoPage(t, srv);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-demo-up-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const { page, problems } = await openPage(browser, url);
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

// A reload mid-upload: the unfinished upload's state is in IndexedDB, the page lists it (picking the
// file before connecting keeps it listed), and picking the same file again once connected finishes it. 35 MiB is four parts at the default part size (10 MiB from
// 8 MiB up, §6.1); part 3 is held at S3 so the upload cannot finish before the reload.
test("demo page: resume an unfinished upload after a reload", { skip: !have && "fixtures missing" }, async (t) => {
  const srv = await withServer(t, ["--samples", "5"]);
  const { browser, url, config } = await demoPage(t, srv);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-demo-resume-"));
  t.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  const MIB = 1024 * 1024;
  const file = path.join(tmp, "resume_me.fastq");
  const bytes = Buffer.alloc(35 * MIB);
  for (let i = 0; i < bytes.length; i += 4096) bytes.write(`@read${i}\nACGT\n+\nIIII\n`, i);
  fs.writeFileSync(file, bytes);

  // First matching rule wins: part 3 is held; every other part is counted by the second rule.
  const hold = await srv.addFault({ target: "s3", operation: "UploadPart", part_number: 3, latency: { ms: 120_000 } });
  const before = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 0 } });

  const { page, problems } = await openPage(browser, url);
  await page.waitForSelector("body[data-connected=true]");
  await page.setInputFiles("#upload-files", [file]);
  const row = page.locator("#uploads tbody tr", { hasText: "resume_me.fastq" });
  await row.locator(".pct").filter({ hasText: /uploading/ }).waitFor({ timeout: 30_000 });

  // The state in IndexedDB, as the page saved it after each part.
  const savedParts = () => page.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open("onecodex-demo-uploads", 1);
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const req = open.result.transaction("states").objectStore("states").get("resume_me.fastq");
      req.onsuccess = () => { open.result.close(); resolve(req.result ? JSON.parse(req.result).files[0].parts.length : -1); };
      req.onerror = () => reject(req.error);
    };
  }));
  // Parts 1, 2 and 4 land (and are saved); part 3 is held.
  for (let i = 0; i < 300 && ((await srv.faultHits(before)) < 3 || (await savedParts()) < 3 || (await srv.faultHits(hold)) < 1); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await srv.faultHits(hold), 1, "part 3 reached S3 and is held");
  assert.equal(await srv.faultHits(before), 3, "parts 1, 2 and 4 were sent");
  assert.equal(await savedParts(), 3, "the saved state has the three parts that landed");
  await screenshot(page, "demo-resume-before-reload");

  // Reload, this time without a key in the config or the tab, so the page is not connected. The
  // held request dies with the page; the part was never stored.
  delete config.apiKey;
  await page.evaluate(() => sessionStorage.clear());
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.getAttribute("body", "data-connected"), null, "not connected after the reload");
  const unfinished = page.locator("#unfinished li", { hasText: "resume_me.fastq" });
  await unfinished.waitFor();
  assert.match(await unfinished.textContent(), /Unfinished: resume_me\.fastq\. Pick the same file\(s\) to resume/);
  await screenshot(page, "demo-resume-listed");

  // Picking the file before connecting: it stays listed (its state is still saved) and the page
  // says to connect first.
  await unfinished.locator("input[type=file]").setInputFiles([file]);
  await page.locator("#upload-note", { hasText: /Connect first/ }).waitFor();
  assert.equal(await unfinished.count(), 1, "still listed");
  assert.equal(await page.locator("#uploads tbody tr").count(), 0, "no upload was started");
  assert.equal(await savedParts(), 3, "its saved state is untouched");
  await page.fill("#api-key", srv.apiKey);
  await page.click("#connect");
  await page.waitForSelector("body[data-connected=true]");

  await srv.clearFaults();
  const after = await srv.addFault({ target: "s3", operation: "UploadPart", latency: { ms: 0 } });
  await unfinished.locator("input[type=file]").setInputFiles([file]);
  const resumed = page.locator("#uploads tbody tr[data-state=done]", { hasText: "resume_me.fastq" });
  await resumed.waitFor({ timeout: 60_000 });
  assert.match(await resumed.textContent(), /100% done/);
  assert.equal(await srv.faultHits(after), 1, "only the missing part 3 was sent after the reload");

  // The new sample: on the server with every byte, and in the page's samples table.
  const id = await resumed.getAttribute("data-sample");
  const auth = { authorization: "Basic " + Buffer.from(srv.apiKey + ":").toString("base64") };
  const sample = await (await fetch(`${srv.api}/api/v1/samples/${id}`, { headers: auth })).json();
  assert.equal(sample.filename, "resume_me.fastq");
  assert.equal(sample.size, bytes.length);
  await page.locator(`#samples tbody tr[data-id="${id}"]`).waitFor({ timeout: 15_000 });
  assert.equal(await savedParts(), -1, "the finished upload's state is gone from IndexedDB");
  assert.equal(await page.locator("#unfinished li").count(), 0);
  await screenshot(page, "demo-resume-done");
  assert.deepEqual(problems.filter((p) => !/status of 4\d\d|ERR_ABORTED|net::/.test(p)), []);
});
