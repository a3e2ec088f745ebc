//! `Collection.plotHeatmap`: its TypeScript options and the method.

use super::super::CollectionJs;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_HEATMAP: &str = r#"
/** `plotHeatmap`: the Python client's `plot_heatmap`. */
export interface HeatmapOptions extends PlotCommonOptions {
  /** Default `"auto"`: the top 10 by total, unless `threshold` is given; `null` for none. */
  topN?: number | "auto" | null;
  /** Keep taxa at least this abundant in some sample (default `"auto"`: not used). */
  threshold?: number | "auto" | null;
  xlabel?: string; ylabel?: string;
  /** How clusters are joined when ordering the axes (default `"average"`). */
  linkage?: LinkageMethod;
  /** A categorical metadata field to facet by; each group's samples are clustered on their own
   * (groups of 3 or fewer are sorted by label). */
  haxis?: string;
  /** The distance samples are clustered by (default `"euclidean"`, the only one meant for
   * normalised metrics). */
  diversityMetric?: BetaDiversityMetric;
  /** The colour legend's title; default the metric's name. */
  legend?: string;
  label?: PlotLabel;
  /** Orders instead of the clustering: the sample labels and the `Name (tax id)` taxa. */
  sortX?: PlotSort; sortY?: PlotSort;
  /** A click opens the classification in the web app (`"ocx"`, default) or the taxon at NCBI. */
  link?: "ocx" | "ncbi";
  matchTaxonomy?: boolean;
}
"#;

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// The Python client's `plot_heatmap`: the top taxa of each sample as coloured cells, samples
    /// and taxa in the order of their hierarchical clustering, as a Vega-Lite spec.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { spec } = c.plotHeatmap({ rank: "genus", topN: 20, linkage: "complete" });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotHeatmap, unchecked_return_type = "Plot")]
    pub fn plot_heatmap(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "HeatmapOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("heatmap", "plotHeatmap", options)
    }
}
