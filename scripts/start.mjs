// `npm start`: serves the demo page and the built package, and prints the URL.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { startStaticServer } from "./serve.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const port = Number(process.env.PORT ?? 8000);
const server = await startStaticServer({ port, mounts: { "/": path.join(root, "www"), "/pkg/": path.join(root, "pkg") } });
console.log(`demo: ${server.url}/`);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => server.close().then(() => process.exit(0)));
