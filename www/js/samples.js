// The samples table: a query read page by page; the next page is requested when the end of the
// table scrolls into view (infinite scroll).
const $ = (id) => document.getElementById(id);

function row(sample) {
  const tr = document.createElement("tr");
  const cells = [sample.filename ?? "(no file yet)", sample.size == null ? "" : (sample.size / 1e6).toFixed(1) + " MB",
    (sample.created_at ?? "").slice(0, 10), sample.status ?? sample.visibility ?? ""];
  cells.forEach((text, i) => {
    const td = document.createElement("td");
    td.textContent = text;
    if (i === 1) td.className = "num";
    tr.append(td);
  });
  tr.dataset.id = sample.$uri.split("/").pop();
  tr.tabIndex = 0;
  return tr;
}

export function createSamplesTable(onError, onOpen) {
  let stream = null;
  let loading = false;
  let shown = 0;
  const loaded = [];
  const body = $("samples").querySelector("tbody");

  async function loadMore() {
    if (!stream || loading || stream.done) return;
    loading = true;
    try {
      const page = await stream.next();
      if (page) {
        body.append(...page.map(row));
        loaded.push(...page);
        shown += page.length;
      }
      const total = stream.total;
      $("sample-count").textContent = `${shown} sample${shown === 1 ? "" : "s"} shown` +
        (total !== undefined ? ` of ${total}` : stream.done ? "" : " (scroll for more)");
      document.body.dataset.pages = String(Number(document.body.dataset.pages ?? 0) + 1);
    } catch (e) {
      onError(e);
    } finally {
      loading = false;
    }
    // Keep filling while the sentinel is still visible (short pages, tall screens).
    if (stream && !stream.done && isVisible($("more"))) loadMore();
  }

  // Rows open the sample: by click, or by keyboard (each row is focusable).
  body.addEventListener("click", (ev) => { const tr = ev.target.closest("tr"); if (tr) onOpen?.(tr.dataset.id); });
  body.addEventListener("keydown", (ev) => {
    if (ev.key !== "Enter") return;
    const tr = ev.target.closest("tr");
    if (tr) onOpen?.(tr.dataset.id);
  });

  new IntersectionObserver((entries) => { if (entries.some((e) => e.isIntersecting)) loadMore(); }, { root: $("samples-scroll") })
    .observe($("more"));

  return {
    /** The sample objects currently in the table. */
    samples: () => loaded.slice(),
    show(ocx, filter, sort) {
      stream?.free();
      body.replaceChildren();
      shown = 0;
      loaded.length = 0;
      document.body.dataset.pages = "0";
      stream = ocx.samples.pages(filter, sort ? { sort } : undefined);
      return loadMore();
    },
  };
}

/** Whether `el` is inside the visible part of the scrolling table. */
function isVisible(el) {
  const box = $("samples-scroll").getBoundingClientRect();
  const r = el.getBoundingClientRect();
  return r.top < box.bottom && r.bottom >= box.top;
}
