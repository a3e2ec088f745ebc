// Uploads from the browser: files are paired (R1/R2, lanes) by the package's pairFiles, each
// group is one resumable upload with a progress bar, rate and time left, pause and cancel. The
// state of unfinished uploads is kept in IndexedDB (it holds upload credentials, never the API
// key), so after a reload the user can pick the same files again and go on where it stopped.
import { pairFiles } from "onecodex-wasm";
import { describeError } from "./errors.js";

const $ = (id) => document.getElementById(id);
const DB = "onecodex-demo-uploads";

function db() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("states");
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function store(method, ...args) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const tx = d.transaction("states", method === "getAll" || method === "getAllKeys" ? "readonly" : "readwrite");
    const req = tx.objectStore("states")[method](...args);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

const mb = (n) => `${(n / 1e6).toFixed(1)} MB`;
const one = (lanes) => (lanes.length === 1 ? lanes[0] : lanes);

/** The name an upload is listed and resumed under. */
const groupName = (files) => files.flat().map((f) => f.name).join(" + ");

export function createUploads(getClient, onUploaded) {
  const rows = $("uploads").querySelector("tbody");

  function addRow(name) {
    $("uploads").hidden = false;
    const tr = document.createElement("tr");
    tr.innerHTML = `<td></td><td><progress max="1" value="0"></progress> <span class="pct">0%</span></td><td class="rate"></td><td class="left"></td>
      <td><button type="button" class="pause">Pause</button> <button type="button" class="cancel">Cancel</button></td>`;
    tr.cells[0].textContent = name;
    tr.querySelector("progress").setAttribute("aria-label", `Upload of ${name}`);
    rows.append(tr);
    return tr;
  }

  function run(name, start) {
    const ocx = getClient();
    if (!ocx) {
      $("upload-note").textContent = "Connect first.";
      return;
    }
    const tr = addRow(name);
    const tags = $("upload-tags").value.split(",").map((t) => t.trim()).filter(Boolean);
    let upload;
    try {
      upload = start(ocx, {
        tags,
        onProgress: (p) => {
          const f = p.total ? p.loaded / p.total : 0;
          tr.querySelector("progress").value = f;
          tr.querySelector(".pct").textContent = `${Math.round(f * 100)}% ${p.phase}`;
          tr.querySelector(".rate").textContent = p.bytesPerSecond ? `${mb(p.bytesPerSecond)}/s` : "";
          const left = p.bytesPerSecond ? (p.total - p.loaded) / p.bytesPerSecond : null;
          tr.querySelector(".left").textContent = left == null ? "" : `${Math.ceil(left)} s`;
        },
        onStateChange: (state) => { store("put", JSON.stringify(state), name).catch(() => {}); },
      });
    } catch (e) {
      tr.querySelector(".pct").textContent = describeError(e);
      return;
    }
    tr.querySelector(".pause").addEventListener("click", (ev) => {
      const paused = ev.target.textContent === "Resume";
      if (paused) upload.resume(); else upload.pause();
      ev.target.textContent = paused ? "Pause" : "Resume";
    });
    tr.querySelector(".cancel").addEventListener("click", async () => {
      await upload.cancel();
      tr.querySelector(".pct").textContent = "Cancelled";
      tr.dataset.state = "cancelled";
      await store("delete", name);
    });
    upload.done.then(async (sample) => {
      tr.querySelector("progress").value = 1;
      tr.querySelector(".pct").textContent = "100% done";
      tr.dataset.state = "done";
      tr.dataset.sample = sample.$uri.split("/").pop();
      tr.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      await store("delete", name);
      onUploaded?.(sample);
    }).catch((e) => {
      if (tr.dataset.state === "cancelled") return;
      tr.querySelector(".pct").textContent = describeError(e);
      tr.dataset.state = "failed";
    });
  }

  function startAll(files) {
    const groups = pairFiles(files);
    for (const { file, reason } of groups.leftover) {
      const li = document.createElement("li");
      li.textContent = `${file.name}: not uploaded (${reason})`;
      $("unfinished").append(li);
    }
    for (const pair of groups.pairs) {
      run(groupName([pair.r1, pair.r2]), (ocx, opts) => ocx.samples.upload([one(pair.r1), one(pair.r2)], opts));
    }
    for (const single of groups.singles) {
      run(groupName([single]), (ocx, opts) => ocx.samples.upload([one(single)], opts));
    }
  }

  /** After a reload: list unfinished uploads; picking the same files again resumes them. */
  async function listUnfinished() {
    const [names, states] = await Promise.all([store("getAllKeys"), store("getAll")]);
    $("unfinished").replaceChildren(...names.map((name, i) => {
      const li = document.createElement("li");
      const input = Object.assign(document.createElement("input"), { type: "file", multiple: true });
      input.setAttribute("aria-label", `Pick ${name} again to resume`);
      li.append(`Unfinished: ${name}. Pick the same file(s) to resume: `, input);
      input.addEventListener("change", () => {
        // Not connected: keep it listed (its state is still in IndexedDB) and clear the pick so
        // the same files can be picked again once connected.
        if (!getClient()) {
          $("upload-note").textContent = `Connect first, then pick the file(s) of ${name} again to resume.`;
          input.value = "";
          return;
        }
        $("upload-note").textContent = "";
        const picked = [...input.files];
        const groups = pairFiles(picked);
        const files = groups.pairs.length ? [one(groups.pairs[0].r1), one(groups.pairs[0].r2)] : [one(groups.singles[0] ?? picked)];
        li.remove();
        run(name, (ocx, opts) => ocx.samples.resumeUpload(states[i], files, opts));
      });
      return li;
    }));
  }

  $("upload-files").addEventListener("change", () => startAll([...$("upload-files").files]));
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (ev) => { ev.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (ev) => {
    ev.preventDefault();
    zone.classList.remove("over");
    startAll([...ev.dataTransfer.files]);
  });
  listUnfinished().catch(() => {});
}
