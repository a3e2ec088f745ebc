// A sample's classification as a table: rows of one rank with a metric, searchable and sortable,
// parsed in wasm (ClassificationTable); CSV export of the whole table.
const $ = (id) => document.getElementById(id);

export function createClassificationView() {
  let table = null;
  let filename = "classification";
  let sortKey = "value";
  let descending = true;

  function render() {
    if (!table) return;
    const rank = $("rank").value;
    const metric = $("metric").value;
    const term = $("taxon-search").value.trim().toLowerCase();
    // Columns come out of wasm as typed arrays and string lists: no object per row until shown.
    const ranks = table.strings("rank");
    const names = table.strings("name");
    const ids = table.strings("tax_id");
    const values = table.numbers(metric);
    const rows = [];
    for (let i = 0; i < table.length; i++) {
      if (ranks[i] !== rank) continue;
      if (term && !(names[i] ?? "").toLowerCase().includes(term)) continue;
      rows.push({ name: names[i] ?? "", tax_id: ids[i], value: values[i] });
    }
    rows.sort((a, b) => {
      const x = a[sortKey], y = b[sortKey];
      const c = typeof x === "number" ? (Number.isNaN(x) ? -1 : x) - (Number.isNaN(y) ? -1 : y) : String(x).localeCompare(String(y));
      return descending ? -c : c;
    });
    $("taxa").querySelector("tbody").replaceChildren(...rows.slice(0, 200).map((r) => {
      const tr = document.createElement("tr");
      for (const [text, cls] of [[r.name, ""], [r.tax_id, ""], [Number.isNaN(r.value) ? "—" : metric === "abundance" ? r.value.toFixed(4) : String(r.value), "num"]]) {
        const td = document.createElement("td");
        td.textContent = text;
        td.className = cls;
        tr.append(td);
      }
      return tr;
    }));
    $("classification-note").textContent = `${rows.length} ${rank} row(s)${rows.length > 200 ? ", the first 200 shown" : ""}.`;
    document.body.dataset.taxa = String(rows.length);
  }

  for (const id of ["rank", "metric"]) $(id).addEventListener("change", render);
  $("taxon-search").addEventListener("input", render);
  $("taxa").querySelector("thead").addEventListener("click", (ev) => {
    const key = ev.target.dataset?.sort;
    if (!key) return;
    descending = key === sortKey ? !descending : key === "value";
    sortKey = key;
    render();
  });
  $("export-csv").addEventListener("click", () => {
    if (!table) return;
    const url = URL.createObjectURL(new Blob([table.toCSV()], { type: "text/csv" }));
    Object.assign(document.createElement("a"), { href: url, download: `${filename}.csv` }).click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  });

  return {
    async show(ocx, classificationId, name) {
      table?.free();
      table = null;
      $("classification").hidden = true;
      $("classification-note").textContent = "Loading the classification…";
      try {
        table = await ocx.classifications.table(classificationId);
        filename = name;
        $("classification").hidden = false;
        render();
      } catch (e) {
        $("classification-note").textContent = `No classification table: ${e.message}`;
      }
    },
    clear() {
      table?.free();
      table = null;
      $("classification").hidden = true;
      $("classification-note").textContent = "No classification yet.";
    },
  };
}
