//! `Collection.plotDistance`: its TypeScript options and the method.

use super::super::CollectionJs;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_DISTANCE: &str = r#"
/** `plotDistance`: the Python client's `plot_distance`. */
export interface DistanceOptions extends PlotCommonOptions {
  /** Default `"braycurtis"`; `"euclidean"` is not supported. */
  diversityMetric?: Exclude<BetaDiversityMetric, "euclidean">;
  /** How clusters are joined when ordering the samples (default `"average"`). */
  linkage?: LinkageMethod;
  xlabel?: string; ylabel?: string;
  label?: PlotLabel;
  matchTaxonomy?: boolean;
}
"#;

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// The Python client's `plot_distance`: the distance between every pair of samples as a
    /// heatmap in the order of their hierarchical clustering, with its dendrogram, as a
    /// Vega-Lite spec. Samples without abundances are left out for abundance metrics.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c", "0c4d5e6f7a8b4c3d"]);
    /// const { spec } = c.plotDistance({ rank: "genus", diversityMetric: "weighted_unifrac" });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotDistance, unchecked_return_type = "Plot")]
    pub fn plot_distance(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "DistanceOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("distance", "plotDistance", options)
    }
}
