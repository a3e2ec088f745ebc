// `npm start`: the demo on the local server. Starts the One Codex-compatible server with generated
// data, serves www/ and the built package, tells the page where the API is (/config.json), and
// prints the page's URL. Ctrl-C stops both.
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

console.log("starting the local One Codex server…");
const api = await startServer(["--samples", samples, "--classify-delay-ms", "8000"]);
// The demo key of the local server only: never put a real API key in a served file.
const config = { apiBase: api.api, s3Endpoint: api.s3, apiKey: api.apiKey, local: true };
const web = await startStaticServer({
  port,
  mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") },
  routes: { "/config.json": () => [200, "application/json", JSON.stringify(config)] },
});
console.log(`api:  ${api.api}  (${samples} generated samples)`);
console.log(`s3:   ${api.s3}`);
console.log(`demo: ${web.url}/`);

async function stop() {
  await Promise.allSettled([web.close(), api.stop()]);
  process.exit(0);
}
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, stop);
