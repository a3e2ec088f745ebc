// A download in headless Chromium: the package on a page, the local API server on another origin
// (CORS), the body streamed into a Blob, a dropped connection continued with a Range request.
import test from "node:test";
import assert from "node:assert/strict";
import crypto from "node:crypto";
import path from "node:path";
import { OneCodex } from "onecodex-wasm";
import { startStaticServer } from "../../scripts/serve.mjs";
import { withServer, idOf } from "../js/support.mjs";
import { launch, openPage, root } from "./browser.mjs";

test("download to a Blob in a browser, resumed after a dropped connection", async (t) => {
  const srv = await withServer(t, ["--samples", "30"]);
  const site = await startStaticServer({ mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") } });
  const browser = await launch();
  t.after(async () => { await browser.close(); await site.close(); });

  const auth = { authorization: `Basic ${Buffer.from(`${srv.apiKey}:`).toString("base64")}` };
  const [sample] = await new OneCodex({ apiKey: srv.apiKey, baseUrl: srv.api }).samples.where({ size: { $gte: 500_000, $lte: 3_000_000 } }, { limit: 1 });
  assert.ok(sample, "a sample of at most 3 MB");
  const sid = idOf(sample);
  const link = (await (await fetch(`${srv.api}/api/v1/samples/${sid}/download_uri`, { method: "POST", headers: auth })).json()).download_uri;
  const expected = crypto.createHash("sha256").update(new Uint8Array(await (await fetch(link)).arrayBuffer())).digest("hex");
  const drop = await srv.addFault({ target: "api", method: "GET", path: `/__signed/download/samples/${sid}`, drop_after_bytes: 200_000, times: 1 });

  const { page, problems } = await openPage(browser, site.url + "/");
  const got = await page.evaluate(async ({ apiKey, baseUrl, sid }) => {
    const { OneCodex } = await import("/pkg/web/index.js");
    const ocx = new OneCodex({ apiKey, baseUrl });
    let calls = 0;
    const r = await ocx.samples.download(sid, { onProgress: () => calls++, retry: { backoffMs: [0] } });
    const digest = await crypto.subtle.digest("SHA-256", await r.blob.arrayBuffer());
    const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
    let pathError;
    try {
      ocx.samples.download(sid, { path: "/tmp/x" });
    } catch (e) {
      pathError = e.code;
    }
    return { bytes: r.bytes, blobSize: r.blob.size, hex, attempts: r.attempts, resumed: r.resumed, calls, pathError };
  }, { apiKey: srv.apiKey, baseUrl: srv.api, sid });

  assert.equal(await srv.faultHits(drop), 1, "the connection was dropped once");
  assert.equal(got.bytes, sample.size);
  assert.equal(got.blobSize, sample.size);
  assert.equal(got.hex, expected, "the Blob's bytes equal the original's");
  assert.deepEqual([got.attempts, got.resumed], [2, 1]);
  assert.ok(got.calls > 1);
  assert.equal(got.pathError, "invalid_argument", "{ path } is for Node; browsers get a Blob or a WritableStream");
  assert.deepEqual(problems.filter((p) => !/Failed to load resource|ERR_/.test(p)), []);
});
