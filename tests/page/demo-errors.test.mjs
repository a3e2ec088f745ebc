// The demo page says what went wrong in words a person can act on: a refused key, a rate-limited
// API (retries exhausted, shown by the server's fault counter), no network, and a refused file.
import test from "node:test";
import assert from "node:assert/strict";
import { withServer } from "../js/support.mjs";
import { openPage, screenshot, demoPage } from "./browser.mjs";

test("demo page: errors in words (wrong key, rate limited, offline, refused file)", async (t) => {
  const srv = await withServer(t, ["--samples", "20"]);
  const { browser, url } = await demoPage(t, srv);

  const { page } = await openPage(browser, url);
  await page.waitForSelector("body[data-connected=true]");
  const account = () => page.textContent("#account");
  const connect = async () => {
    await page.click("#connect");
    await page.waitForFunction(() => !/^Connecting/.test(document.querySelector("#account").textContent), null, { timeout: 60_000 });
  };

  // A wrong key.
  await page.fill("#api-key", "not-the-key");
  await connect();
  assert.match(await account(), /^The API key was refused\. Check it and connect again\. \(unauthorized, HTTP 401\)$/);
  await screenshot(page, "demo-error-key");

  // Rate limited on every attempt: the client retries (Retry-After: 0), then says so.
  await page.fill("#api-key", srv.apiKey);
  const limited = await srv.addFault({ target: "api", method: "GET", path: "/api/v1/account", respond: { status: 429, retry_after: 0 }, times: 4 });
  await connect();
  assert.match(await account(), /^The API is rate limiting requests; wait a minute and try again\. \(rate_limited, HTTP 429\)$/);
  assert.equal(await srv.faultHits(limited), 4, "the first attempt and 3 retries were made");

  // No network: refused after the retries (0, 8 and 16 s).
  await page.context().setOffline(true);
  await connect();
  assert.match(await account(), /^Cannot reach the API: check the URL and your connection \(offline\?\)\. \(network\)$/);
  await screenshot(page, "demo-error-offline");
  await page.context().setOffline(false);
  await connect();
  assert.match(await account(), /^Connected as /, "connects again once online");

  // A refused file: empty, so nothing is sent and the row says why.
  await page.setInputFiles("#upload-files", { name: "empty.fastq", mimeType: "text/plain", buffer: Buffer.alloc(0) });
  const row = page.locator("#uploads tbody tr").last();
  await page.waitForFunction(() => /cannot be uploaded/.test(document.querySelector("#uploads tbody tr:last-child")?.textContent ?? ""));
  assert.match(await row.textContent(), /That file cannot be uploaded: .*empty/i);
  await screenshot(page, "demo-error-file");
});
