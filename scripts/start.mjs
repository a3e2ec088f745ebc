// `npm start`: the demo on the local server. Starts the One Codex-compatible server with generated
// data, serves www/ and the built package, tells the page where the API is (/config.json), and
// prints the page's URL. Ctrl-C stops both.
//
// `npm start -- --proxy https://app.onecodex.com`: no local server; /api/* is forwarded to that
// deployment, so the page (same origin, no CORS) can be tried with a real account. This covers
// every API call; S3 uploads and pre-signed downloads go to their own hosts directly from the
// browser and need those hosts' CORS, which this proxy cannot provide.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./serve.mjs";
import { startServer } from "./server.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8000);
const samples = process.env.DEMO_SAMPLES ?? "2000";

// The API reference the page links to, rebuilt when the shipped types changed.
const docs = path.join(root, "www", "docs", "index.html");
const types = path.join(root, "pkg", "index.d.ts");
if (!fs.existsSync(docs) || fs.statSync(docs).mtimeMs < fs.statSync(types).mtimeMs) {
  spawnSync(path.join(root, "node_modules", ".bin", "typedoc"), [], { cwd: root, stdio: "inherit" });
}

const flag = process.argv.indexOf("--proxy");
const proxyTarget = flag >= 0 ? process.argv[flag + 1] : undefined;
if (flag >= 0 && !/^https?:\/\//.test(proxyTarget ?? "")) {
  console.error("usage: npm start -- --proxy https://app.onecodex.com");
  process.exit(2);
}

let api = null;
let config;
if (proxyTarget) {
  // The page talks to its own origin; the key is typed into the page, never served.
  config = { apiBase: null, proxy: proxyTarget, local: false };
} else {
  console.log("starting the local One Codex server…");
  api = await startServer(["--samples", samples, "--classify-delay-ms", "8000"]);
  // The demo key of the local server only: never put a real API key in a served file.
  config = { apiBase: api.api, s3Endpoint: api.s3, apiKey: api.apiKey, local: true };
}
const web = await startStaticServer({
  port,
  mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") },
  routes: { "/config.json": () => [200, "application/json", JSON.stringify(config)] },
  proxy: proxyTarget ? { prefix: "/api/", target: proxyTarget } : undefined,
});
if (api) {
  console.log(`api:  ${api.api}  (${samples} generated samples)`);
  console.log(`s3:   ${api.s3}`);
} else {
  console.log(`api:  ${web.url}/api/ → ${proxyTarget}`);
}
console.log(`demo: ${web.url}/`);

async function stop() {
  await Promise.allSettled([web.close(), api?.stop()]);
  process.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, stop);
