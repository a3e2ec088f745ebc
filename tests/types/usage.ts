// Type-checked (tsc --noEmit), never run: the public API as a TypeScript user writes it. The
// expect-error lines prove the shipped types are precise, not `any`.
import { OneCodex, encodeWhere, encodeSort, isOneCodexError } from "onecodex-wasm";
import type { OneCodexOptions, WhereFilter, ErrorCode, ListingOptions } from "onecodex-wasm";

const options: OneCodexOptions = { apiKey: "key", baseUrl: "http://127.0.0.1:8080", timeoutMs: 30_000 };
const ocx = new OneCodex(options);
const anonymous = new OneCodex();
const base: string = ocx.baseUrl;
const scheme: "bearer" | "basic" | "none" = anonymous.authScheme;

const filter: WhereFilter = { filename: { $iendswith: ".fastq.gz" }, size: [1, 2], error_msg: null };
const wire: string = encodeWhere(filter, "samples");
const sorted: string = encodeSort(["size", "^filename"]);
const listing: ListingOptions = { sort: { size: true }, page: 2 };
const url: string = ocx.listingUrl("samples", filter, listing);

try {
  encodeWhere({ size: { $between: [1] } });
} catch (e) {
  if (isOneCodexError(e)) {
    const code: ErrorCode = e.code;
    const status: number | undefined = e.status;
    console.log(code, status, e.message);
  }
}

// @ts-expect-error: apiKey is a string
new OneCodex({ apiKey: 42 });
// @ts-expect-error: not an option
const typo: OneCodexOptions = { apikey: "k" };
// @ts-expect-error: codes are a closed union
const wrong: ErrorCode = "no_such_code";
// @ts-expect-error: the secret cannot be read back
ocx.apiKey;

export { base, scheme, wire, sorted, url, typo, wrong };
