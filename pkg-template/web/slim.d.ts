// Types of the bring-your-own-wasm entry: the API plus `init`/`initSync` (wasm-bindgen's loader).
export { default as init } from "./onecodex_wasm.js";
export * from "./onecodex_wasm.js";
