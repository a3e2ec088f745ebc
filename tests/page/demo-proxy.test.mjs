// `npm start -- --proxy <url>`: the dev server forwards /api to another deployment (here the local
// server), so the page works same-origin with a key typed by the user.
import test from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import readline from "node:readline";
import { withServer } from "../js/support.mjs";
import { launch, openPage, root } from "./browser.mjs";

test("demo page through the --proxy mode", async (t) => {
  const srv = await withServer(t, ["--samples", "30"]);
  const start = spawn("node", ["scripts/start.mjs", "--proxy", srv.api], { cwd: root, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  t.after(() => start.kill("SIGTERM"));
  const demo = await new Promise((resolve, reject) => {
    readline.createInterface({ input: start.stdout }).on("line", (l) => { if (l.startsWith("demo: ")) resolve(l.slice(6)); });
    start.on("exit", (c) => reject(new Error(`start.mjs exited (${c})`)));
  });
  const base = demo.replace(/\/$/, "");

  // The proxy answers like the server, credentials and all.
  const auth = { authorization: "Basic " + Buffer.from(srv.apiKey + ":").toString("base64") };
  const [direct, proxied] = await Promise.all([fetch(`${srv.api}/api/v1/account`, { headers: auth }), fetch(`${base}/api/v1/account`, { headers: auth })]);
  assert.equal(proxied.status, 200);
  assert.deepEqual(await proxied.json(), await direct.json());
  assert.equal((await fetch(`${base}/api/v1/account`)).status, 401);
  assert.deepEqual(await (await fetch(`${base}/config.json`)).json(), { apiBase: null, proxy: srv.api, local: false }, "no key is served");

  const browser = await launch();
  t.after(() => browser.close());
  const { page, problems } = await openPage(browser, demo);
  await page.waitForSelector("body[data-ready=true]");
  assert.equal(await page.inputValue("#base-url"), base, "the API is the page's own origin");
  assert.equal(await page.inputValue("#api-key"), "");
  await page.fill("#api-key", srv.apiKey);
  await page.click("#connect");
  await page.waitForSelector("body[data-connected=true]");
  await page.waitForFunction(() => document.querySelectorAll("#samples tbody tr").length > 0);
  assert.deepEqual(problems, []);
});
