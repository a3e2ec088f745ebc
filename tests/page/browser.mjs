// Headless Chromium for page tests: the system browser driven by playwright-core (nothing is
// downloaded). Screenshots go to test-results/ as artefacts.
import { chromium } from "playwright-core";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startStaticServer } from "../../scripts/serve.mjs";
import { fileURLToPath } from "node:url";

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const artefacts = path.join(root, "test-results");

export const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export async function launch() {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: run scripts/bootstrap`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
  });
}

/** Opens a page that fails the test on any uncaught error or console error. */
export async function openPage(browser, url) {
  const page = await browser.newPage();
  const problems = [];
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  page.on("console", (m) => { if (m.type() === "error") problems.push(`console: ${m.text()}`); });
  await page.goto(url);
  return { page, problems };
}

export async function screenshot(page, name) {
  fs.mkdirSync(artefacts, { recursive: true });
  await page.screenshot({ path: path.join(artefacts, `${name}.png`), fullPage: true });
}

/**
 * A page that imports the built package as users do (an import map to both entries), served with
 * pkg/ and `mounts`, with Chromium launched; all of it closed and removed after the test.
 * `head` is extra markup before the body.
 */
export async function packagePage(t, { head = "", mounts = {} } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ocx-page-"));
  fs.writeFileSync(path.join(dir, "index.html"), `<!doctype html><link rel="icon" href="data:,">
<script type="importmap">{"imports": {"onecodex-wasm": "/pkg/web/index.js", "onecodex-wasm/tables": "/pkg/tables/web/index.js"}}</script>
${head}<body>ready</body>`);
  const web = await startStaticServer({ mounts: { "/": dir, "/pkg/": path.join(root, "pkg"), ...mounts } });
  const browser = await launch();
  t.after(async () => { await browser.close(); await web.close(); fs.rmSync(dir, { recursive: true, force: true }); });
  return { browser, url: web.url + "/" };
}

/** The demo (www/) served with pkg/ and a `/config.json` pointing at the local server `srv`, with
 * Chromium launched; closed after the test. `config` is served as it is at each request. */
export async function demoPage(t, srv) {
  const config = { apiBase: srv.api, s3Endpoint: srv.s3, apiKey: srv.apiKey, local: true };
  const web = await startStaticServer({
    mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") },
    routes: { "/config.json": () => [200, "application/json", JSON.stringify(config)] },
  });
  const browser = await launch();
  t.after(async () => { await browser.close(); await web.close(); });
  return { browser, url: web.url + "/", config };
}
