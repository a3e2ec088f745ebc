// Bring-your-own-wasm entry: nothing is loaded until you call `await init(wasmUrlOrBytes)`.
// esbuild: `import wasmUrl from "onecodex-wasm/onecodex_wasm_bg.wasm"` with `--loader:.wasm=file`.
export { default as init } from "./onecodex_wasm.js";
export * from "./onecodex_wasm.js";
