// Types of the bring-your-own-wasm entry: the API plus `init`/`initSync` (wasm-bindgen's loader),
// declared here again only to carry documentation with examples.
import type { default as wasmInit, initSync as wasmInitSync } from "./onecodex_wasm.js";
export * from "./onecodex_wasm.js";

/**
 * Fetches (or takes) the .wasm and instantiates it; call it once before using the API from
 * "onecodex-wasm/slim". Resolves to the module's exports.
 *
 * @example
 * ```ts
 * import { init, OneCodex } from "onecodex-wasm/slim";
 * // esbuild: `import wasmUrl from "onecodex-wasm/onecodex_wasm_bg.wasm"` with --loader:.wasm=file
 * await init({ module_or_path: new URL("onecodex_wasm_bg.wasm", location.href) });
 * const ocx = new OneCodex({ apiKey: "…" });
 * ```
 */
export declare const init: typeof wasmInit;

/**
 * Instantiates the module synchronously from its bytes or a compiled `WebAssembly.Module`
 * (e.g. in a worker that received the module).
 *
 * @example
 * ```ts
 * import { initSync, version } from "onecodex-wasm/slim";
 * const bytes = await (await fetch("/onecodex_wasm_bg.wasm")).arrayBuffer();
 * initSync({ module: bytes });
 * console.log(version());
 * ```
 */
export declare const initSync: typeof wasmInitSync;
