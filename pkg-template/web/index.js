// Browser and bundler entry: instantiates the module on import (top-level await), so
// `import { OneCodex } from "onecodex-wasm"` is ready to use. The .wasm is fetched from next to
// this file (`new URL(…, import.meta.url)`), which Vite, webpack 5 and plain pages understand.
// Bundlers that do not (esbuild) use "onecodex-wasm/slim" and pass the .wasm URL to init().
import init, { useTables } from "./onecodex_wasm.js";

await init();
// The tables module (onecodex-wasm/tables) is fetched the first time a table is asked for.
useTables(() => import("../tables/web/index.js"));

export * from "./onecodex_wasm.js";
