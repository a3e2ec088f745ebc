// One sample: its metadata, its analyses with live status (polled with awaitCompletion), and a
// download of its reads with progress.
import { describeError } from "./errors.js";
import { createClassificationView } from "./classification.js";

const $ = (id) => document.getElementById(id);
const idOf = (o) => (o.$uri ?? o.$ref).split("/").pop();

function field(dl, name, value) {
  const dt = document.createElement("dt");
  dt.textContent = name;
  const dd = document.createElement("dd");
  dd.textContent = value == null || value === "" ? "—" : String(value);
  dl.append(dt, dd);
}

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = Object.assign(document.createElement("a"), { href: url, download: filename });
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function createSampleView(getClient) {
  const classification = createClassificationView();
  let current = null;
  let polls = new AbortController();

  async function showAnalyses(ocx, sample) {
    const list = $("analyses");
    const analyses = await ocx.analyses.where({ sample: idOf(sample) }, { signal: polls.signal });
    const jobs = await ocx.resolveAll(analyses.map((a) => a.job).filter(Boolean));
    list.replaceChildren(...analyses.map((a, i) => {
      const li = document.createElement("li");
      li.dataset.id = idOf(a);
      const status = a.complete ? (a.success ? "complete" : `failed: ${a.error_msg ?? ""}`) : "running…";
      li.textContent = `${jobs[i]?.name ?? "analysis"} (${a.analysis_type ?? "?"}): ${status}`;
      if (!a.complete) {
        // Live status: poll until done (5 s minimum interval, backing off).
        ocx.analyses.awaitCompletion(idOf(a), {
          signal: polls.signal,
          onPoll: () => { li.textContent = `${jobs[i]?.name ?? "analysis"}: still running (checked ${new Date().toLocaleTimeString()})`; },
        }).then((done) => {
          li.textContent = `${jobs[i]?.name ?? "analysis"} (${done.analysis_type ?? "?"}): ${done.success ? "complete" : "failed"}`;
        }).catch((e) => { if (e.code !== "aborted") li.textContent += ` (${describeError(e)})`; });
      }
      return li;
    }));
    if (!analyses.length) list.replaceChildren(Object.assign(document.createElement("li"), { textContent: "No analyses yet." }));
  }

  async function open(sampleId) {
    const ocx = getClient();
    if (!ocx) return;
    polls.abort();
    polls = new AbortController();
    $("sample-detail").hidden = false;
    $("download-status").textContent = "";
    $("download-progress").hidden = true;
    try {
      const sample = await ocx.samples.get(sampleId);
      if (!sample) throw Object.assign(new Error("gone"), { name: "OneCodexError", code: "not_found" });
      current = sample;
      const [metadata] = await ocx.resolveAll([sample.metadata]);
      $("sample-heading").textContent = sample.filename ?? "(no file yet)";
      const dl = $("sample-fields");
      dl.replaceChildren();
      field(dl, "Id", idOf(sample));
      field(dl, "Size", sample.size == null ? null : `${(sample.size / 1e6).toFixed(1)} MB`);
      field(dl, "Created", sample.created_at);
      field(dl, "Visibility", sample.visibility);
      for (const key of ["name", "platform", "library_type", "sample_type", "date_collected", "location_string", "external_sample_id"]) {
        field(dl, key.replace(/_/g, " "), metadata?.[key]);
      }
      for (const [k, v] of Object.entries(metadata?.custom ?? {})) field(dl, k, v);
      document.body.dataset.sample = idOf(sample);
      $("sample-detail").scrollIntoView({ block: "start" });
      if (sample.primary_classification) {
        classification.show(ocx, idOf(sample.primary_classification), sample.filename ?? idOf(sample));
      } else {
        classification.clear();
      }
      await showAnalyses(ocx, sample);
    } catch (e) {
      $("sample-fields").replaceChildren();
      $("analyses").replaceChildren(Object.assign(document.createElement("li"), { textContent: describeError(e) }));
    }
  }

  $("download-sample").addEventListener("click", async () => {
    const ocx = getClient();
    if (!ocx || !current) return;
    const bar = $("download-progress");
    bar.hidden = false;
    bar.value = 0;
    $("download-status").textContent = "Downloading…";
    try {
      const result = await ocx.samples.download(current, {
        onProgress: ({ bytes, total }) => { if (total) bar.value = bytes / total; },
      });
      bar.value = 1;
      $("download-status").textContent = `Downloaded ${result.filename} (${(result.bytes / 1e6).toFixed(1)} MB).`;
      document.body.dataset.downloaded = String(result.bytes);
      saveBlob(result.blob, result.filename);
    } catch (e) {
      $("download-status").textContent = describeError(e);
    }
  });

  return { open };
}
