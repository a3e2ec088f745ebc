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

// Issue 7: the analysis lifecycle and downloads.
import type { AnalysisFile, AwaitCompletionOptions, DownloadOptions, DownloadProgress, DownloadResult } from "onecodex-wasm";

export async function lifecycle(): Promise<void> {
  const polling: AwaitCompletionOptions = { timeoutMs: 600_000, initialIntervalMs: 5_000, maxIntervalMs: 120_000, backoff: 1.5 };
  const done: Analysis = await ocx.analyses.awaitCompletion("a1", { ...polling, onPoll: (a: Analysis, n: number) => console.log(a.complete, n) });
  const viaKind: Analysis = await ocx.classifications.awaitCompletion("c1", { signal: new AbortController().signal });
  await ocx.workflows.awaitCompletion("w1");
  const fresh: Analysis = await ocx.panels.refresh("p1");
  const text: string = await ocx.workflows.logs("w1", { tail: 100 });
  const files: AnalysisFile[] = await ocx.functionalProfiles.getFiles("f1");
  const size: number | null | undefined = files[0].size;
  const got: DownloadResult = await ocx.mlsts.downloadFile("m1", files[0].filepath, { path: "./out" });
  const onProgress = (p: DownloadProgress) => console.log(p.bytes, p.total);
  const toFile: DownloadResult = await ocx.samples.download("s1", { path: "./s1.fastq.gz", overwrite: true, onProgress, retry: { backoffMs: [0, 4000] } });
  await ocx.samples.download("s1", { path: "./s1.fastq.gz", resume: true });
  const toBlob: Blob | undefined = (await ocx.documents.download("d1")).blob;
  const toStream: DownloadOptions = { writable: new WritableStream<Uint8Array>() };
  await ocx.assets.download("as1", toStream);
  await ocx.assemblies.download("asm1", { signal: new AbortController().signal });
  await ocx.annotationSets.download("an1");
  await ocx.annotationSets.downloadCsv("an1", { path: "." });
  await ocx.classifications.downloadReadlevel("c1", { path: "." });
  const sample = (await ocx.samples.get("s1"))!;
  await ocx.samples.download(sample);
  console.log(done, viaKind, fresh, text, size, got, toFile, toBlob);

  // @ts-expect-error: backoff is a number
  await ocx.analyses.awaitCompletion("a1", { backoff: "1.5" });
  // @ts-expect-error: durations say their unit (timeoutMs), there is no `timeout`
  await ocx.analyses.awaitCompletion("a1", { timeout: 60 });
  // @ts-expect-error: tail is a number of lines
  await ocx.workflows.logs("w1", { tail: "all" });
  // @ts-expect-error: a path or a writable, not both
  await ocx.samples.download("s1", { path: "x", writable: new WritableStream<Uint8Array>() });
  // @ts-expect-error: overwrite only applies to a path
  await ocx.samples.download("s1", { overwrite: true });
  // @ts-expect-error: resume only applies to a path
  await ocx.samples.download("s1", { resume: true });
  // @ts-expect-error: progress is an object, not a number
  await ocx.samples.download("s1", { onProgress: (bytes: string) => console.log(bytes) });
  // @ts-expect-error: projects have no files to download
  await ocx.projects.download("p1");
  // @ts-expect-error: only classifications have read-level data
  await ocx.workflows.downloadReadlevel("w1");
  // @ts-expect-error: a file's size may be unknown
  const sure: number = files[0].size;
  // @ts-expect-error: downloadFile needs the file's path
  await ocx.workflows.downloadFile("w1");
}

// Results and tables (issue 6).
import { parseClassificationResults, parseFunctionalResults, functionalMatrix, Collection } from "onecodex-wasm/tables";
import type { ClassificationTable, WideMatrix, LongMatrix, SampleStats, ClassificationRow, Warning, Plot, TaxonomyNode } from "onecodex-wasm/tables";
import type { MlstResults, CollectionProgress } from "onecodex-wasm";

async function tables(bytes: Uint8Array) {
  const t: ClassificationTable = parseClassificationResults(bytes);
  const n: number = t.length;
  const counts: Float64Array = t.numbers("readcount_w_children");
  const names: (string | null)[] = t.strings("name");
  const either: Float64Array | (string | null)[] = t.column("abundance");
  const nReads: number | undefined = t.n_reads;
  const hosts: string[] | undefined = t.host_tax_ids;
  const row: ClassificationRow | undefined = t.get("9606");
  const rowIndex: number | undefined = t.rowOf("9606");
  const stats: SampleStats = t.stats();
  const csv: string = t.toCSV() + t.toTSV();
  t.free();
  // @ts-expect-error: numbers() takes number columns only
  t.numbers("name");
  // @ts-expect-error: the input is bytes or text
  parseClassificationResults(42);

  const c = Collection.fromResults([{ classificationId: "a", bytes }, { classificationId: "b", bytes: "{}" }]);
  const warnings: Warning[] = c.warnings;
  const m = c.toMatrix({ rank: "genus", metric: "normalized_readcount_w_children", topN: 10, includeTaxaMissingRank: true });
  if (m.format === "wide") {
    const w: WideMatrix = m;
    const v: Float64Array = w.values;
    const cols: string[] = w.columnIds;
    console.log(v, cols);
  } else {
    const l: LongMatrix = m;
    console.log(l.records[0].classification_id);
  }
  // @ts-expect-error: not a rank
  c.toMatrix({ rank: "subgenus" });
  // @ts-expect-error: not a metric
  c.toMatrix({ metric: "reads" });
  // @ts-expect-error: topN is a number
  c.toMatrix({ topN: "10" });
  const tree = c.tree({ includeHost: false });
  const lineage: TaxonomyNode[] | undefined = tree.lineage("562");
  tree.pruneRank("genus").free();
  // @ts-expect-error: pruneRank takes a canonical rank
  tree.pruneRank("strain");
  const bar: Plot = c.plotBargraph({ topN: 5, label: (m) => String(m.filename), sortX: (l) => l.sort(), link: "ncbi" });
  // @ts-expect-error: link is "ocx" or "ncbi"
  c.plotBargraph({ link: "web" });
  const biom: any = c.toBiom({ date: "2024-01-01" });
  c.free();

  const f = parseFunctionalResults(bytes);
  const fm = functionalMatrix([{ id: "p", bytes }], { annotation: "go", metric: "cpm" });
  // @ts-expect-error: not a functional annotation
  functionalMatrix([{ id: "p", bytes }], { annotation: "gene_family" });

  const online = await ocx.collection(await ocx.classifications.where(), {
    skipMissing: true, concurrency: 4, onProgress: (p: CollectionProgress) => console.log(p.done, p.total),
  });
  // @ts-expect-error: concurrency is a number
  await ocx.collection([], { concurrency: "4" });
  const fmOnline = await ocx.functionalMatrix(await ocx.samples.where(), {
    annotation: "pathways", metric: "abundance", taxaStratified: false, fillMissing: true, filler: NaN, concurrency: 4,
    onProgress: (p: CollectionProgress) => console.log(p.done), signal: new AbortController().signal,
  });
  const fmRow: string = fmOnline.sampleIds[0] + fmOnline.rowIds[0] + fmOnline.warnings.map((w) => w.code).join();
  // @ts-expect-error: not a functional metric
  await ocx.functionalMatrix(["abc"], { metric: "tpm" });
  const table: ClassificationTable = await ocx.classifications.table("abc");
  const readlevel: string = await ocx.classifications.readlevelUrl("abc");
  const mlst: MlstResults = await ocx.mlsts.results("abc");
  const ft = await ocx.functionalProfiles.table("abc", { annotation: "pathways", metric: "coverage" });
  await ocx.functionalProfiles.filteredResults("abc", { annotation: "go", metric: "cpm", taxaStratified: true });
  // @ts-expect-error: filteredResults needs annotation and metric
  await ocx.functionalProfiles.filteredResults("abc", {});
  console.log(n, counts, names, either, nReads, hosts, row, rowIndex, stats, csv, warnings, lineage, bar, biom, f, fm, fmOnline, fmRow, online, table, readlevel, mlst, ft);
}
export { tables };

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
  const r1: string[] = groups.pairs[0].r1;
  // pairFiles keeps the element type: its groups go to upload without a cast.
  const picked = pairFiles([file, file]);
  for (const { r1: one, r2: two } of picked.pairs) await ocx.samples.upload([one, two]).done;
  for (const lanes of picked.singles) ocx.samples.upload([lanes]);
  const left: File = picked.leftover[0].file;
  // @ts-expect-error: File groups hold Files, not paths
  const paths: string[] = picked.singles[0];
  // @ts-expect-error: a { name } object can be paired but not uploaded
  ocx.samples.upload([pairFiles([{ name: "x_R1.fq" }]).singles[0]]);
  // @ts-expect-error: numbers have no name to pair by
  pairFiles([1, 2]);
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
  console.log(cancelled, r1, phase, left, paths);
}
export { uploads };
