// Type-checked (tsc --noEmit), never run: the public API as a TypeScript user writes it. The
// expect-error lines prove the shipped types are precise, not `any`.
import { OneCodex, encodeWhere, encodeSort, isOneCodexError, where } from "onecodex-wasm";
import type { OneCodexOptions, WhereFilter, ErrorCode, ListingOptions, Sample, Project, SamplesWhere, Analysis } from "onecodex-wasm";

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

async function queries(): Promise<void> {
  const samples: Sample[] = await ocx.samples.where(
    { filename: { $iendswith: ".fastq.gz" }, created_at: { $gte: "2026-01-01T00:00:00+00:00" }, status: ["available"] },
    { sort: ["size", "^filename"], limit: 500, filter: (s) => (s.size ?? 0) > 10 },
  );
  for await (const s of ocx.samples.iter({ project: "4b53797444f846c4" })) {
    const size: number | null | undefined = s.size;
    console.log(size, s.metadata);
  }
  const stream = ocx.projects.pages(null, { public: true });
  const page = await stream.next();
  const total: number | undefined = stream.total;
  const one: Sample | null = await ocx.samples.get("abc");
  const project: Project | null = await ocx.projects.get("p");
  const updated: Sample = await ocx.samples.update("abc", { tags: ["t1"], project: null });
  await ocx.samples.delete("abc", { signal: new AbortController().signal });
  const analysis: Analysis = await ocx.jobs.run("job", "sample", { description: "x" });
  const filter: SamplesWhere = { tax_ids: ["543"], tags: ["trimmed"], platform: "Illumina HiSeq", size: { $between: [1, 2] } };
  console.log(samples, page, total, one, project, updated, analysis, filter);

  const built = where.samples.field("size").gte(1e6).and(where.samples.field("filename").iendswith(".gz"));
  await ocx.samples.where(built.toJSON());
  where.samples.field("status").in(["available"]);
  where.samples.field("tags").containsall(["t1"]);
  // @ts-expect-error: the builder offers only the operators a field takes
  where.samples.field("status").contains("avail");
  // @ts-expect-error: and neither unknown fields
  where.samples.field("nope");
  // @ts-expect-error: size compares numbers
  where.samples.field("size").gte("big");
  // @ts-expect-error: status is enum-backed, no substring operators (§16.1.2)
  await ocx.samples.where({ status: { $contains: "avail" } });
  // @ts-expect-error: not a filterable field of samples
  await ocx.samples.where({ primary_classification: "x" });
  // @ts-expect-error: email takes equality only
  await ocx.users.where({ email: { $icontains: "x" } });
  // @ts-expect-error: tags cannot be deleted
  await ocx.tags.delete("t");
  // @ts-expect-error: projects cannot be updated
  await ocx.projects.update("p", { name: "x" });
  // @ts-expect-error: filename is not updatable
  await ocx.samples.update("abc", { filename: "x" });
}

export { base, scheme, wire, sorted, url, typo, wrong, queries };

// Uploads (issue 5).
import { pairFiles } from "onecodex-wasm";
import type { Upload, UploadOptions, UploadProgress, UploadState } from "onecodex-wasm";

async function uploads(file: File) {
  const progress: UploadProgress[] = [];
  const opts: UploadOptions = { metadata: { name: "x" }, tags: ["t"], partSize: 8 * 1024 * 1024, concurrency: 4, onProgress: (p) => progress.push(p) };
  const up: Upload = ocx.samples.upload([file, "reads_R2.fastq.gz"], opts);
  const state: UploadState | null = up.state();
  up.pause();
  up.resume();
  const cancelled: boolean = await up.cancel();
  const again = ocx.samples.resumeUpload(JSON.stringify(state), file, { checksum: "md5" });
  await again.done;
  await ocx.documents.upload(file).done;
  await ocx.assets.upload(file, { name: "asset" }).done;
  const pre: { sample_id: string } = await ocx.samples.preupload({ tags: ["t"] });
  await ocx.samples.upload([["a_L001_R1.fq", "a_L002_R1.fq"]], { sampleId: pre.sample_id }).done;
  const groups = pairFiles(["a_R1.fq", "a_R2.fq"]);
  const r1: (string | Blob | { name: string })[] = groups.pairs[0].r1;
  // @ts-expect-error: checksum is crc32c or md5
  ocx.samples.upload(file, { checksum: "sha1" });
  // @ts-expect-error: the phase is one of five names
  const phase: "uploading" | "done" = progress[0].phase;
  // @ts-expect-error: a number is not a file
  ocx.samples.upload(42);
  // @ts-expect-error: not an upload option
  ocx.samples.upload(file, { partsize: 5 });
  // @ts-expect-error: onProgress takes a function
  ocx.samples.upload(file, { onProgress: "log" });
  console.log(cancelled, r1, phase);
}
export { uploads };
