// Bring-your-own-wasm entry of onecodex-wasm/tables: nothing is loaded until `await init(wasm)`.
// esbuild: `import wasmUrl from "onecodex-wasm/onecodex_tables_bg.wasm"` with `--loader:.wasm=file`.
export { default as init } from "./onecodex_tables.js";
export * from "./onecodex_tables.js";
