//! `Collection.plotPca`, `plotPcoa` and `plotMds`: their TypeScript options and the methods.

use super::super::CollectionJs;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_ORDINATION: &str = r#"
/** What the ordination plots share: the points' axis titles, colour, size and labels. */
export interface OrdinationPlotOptions extends PlotCommonOptions {
  /** Axis titles; default the axis name with how much it explains. */
  xlabel?: string; ylabel?: string;
  /** A metadata field (or taxon) to colour the points by: a continuous scale for numbers
   * without missing values, one colour per value otherwise (missing values as `N/A`). */
  color?: PlotField;
  /** A metadata field (or taxon) to size the points by. */
  size?: PlotField;
  label?: PlotLabel;
  /** The points' area in square pixels (default 100). */
  markSize?: number;
  matchTaxonomy?: boolean;
}
/** `plotPca`: the Python client's `plot_pca`. */
export interface PcaPlotOptions extends OrdinationPlotOptions {
  /** Draw this many taxa with the largest loadings on PC1 and PC2 as lines from the origin
   * (default 0: none). */
  orgVectors?: number;
  /** The lines' length factor; default 0.8 × the largest coordinate of any sample. */
  orgVectorsScale?: number;
}
/** `plotPcoa`: the Python client's `plot_pcoa`. */
export interface PcoaPlotOptions extends OrdinationPlotOptions {
  /** The distance between samples (default `"braycurtis"`; `"euclidean"` is not supported). */
  diversityMetric?: Exclude<BetaDiversityMetric, "euclidean">;
}
/** `plotMds`: the Python client's `plot_mds`. */
export interface MdsPlotOptions extends PcoaPlotOptions {
  /** `"pcoa"` (default: eigendecomposition, as `plotPcoa`) or `"smacof"` (metric MDS by stress
   * majorization, from a random start with a fixed seed; the axis titles give each axis's
   * correlation with the distances). */
  method?: "pcoa" | "smacof";
}
"#;

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// The Python client's `plot_pca`: the samples on the first two principal components of the
    /// plotted matrix, as a Vega-Lite spec; for abundance metrics samples without abundances are
    /// left out (with a warning).
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c", "0c4d5e6f7a8b4c3d"]);
    /// const { spec } = c.plotPca({ rank: "genus", color: "site", orgVectors: 3 });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotPca, unchecked_return_type = "Plot")]
    pub fn plot_pca(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PcaPlotOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("pca", "plotPca", options)
    }

    /// The Python client's `plot_pcoa`: the samples on the first two principal coordinates of a
    /// beta diversity (each axis scaled to ±1), as a Vega-Lite spec.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c", "0c4d5e6f7a8b4c3d"]);
    /// const { spec } = c.plotPcoa({ rank: "genus", diversityMetric: "weighted_unifrac", color: "site" });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotPcoa, unchecked_return_type = "Plot")]
    pub fn plot_pcoa(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "PcoaPlotOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("pcoa", "plotPcoa", options)
    }

    /// The Python client's `plot_mds`: the samples placed by multidimensional scaling of a beta
    /// diversity (PCoA by default, or SMACOF), each axis scaled to ±1, as a Vega-Lite spec.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c", "0c4d5e6f7a8b4c3d"]);
    /// const { spec } = c.plotMds({ method: "smacof", diversityMetric: "jaccard", tooltip: ["site"] });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotMds, unchecked_return_type = "Plot")]
    pub fn plot_mds(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MdsPlotOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("mds", "plotMds", options)
    }
}
