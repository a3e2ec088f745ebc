//! `Collection.plotMetadata`: its TypeScript options and the method.

use super::super::CollectionJs;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_METADATA: &str = r#"
/** `plotMetadata`: the Python client's `plot_metadata`. */
export interface MetadataPlotOptions extends Omit<PlotCommonOptions, "tooltip" | "width" | "height"> {
  /** The horizontal axis: a metadata field, several categorical fields (joined with `_`), a tax
   * id or a taxon name (its abundance at its own rank); default `"Label"`, one point per sample. */
  haxis?: PlotField;
  /** The vertical axis: an alpha diversity (`"shannon"`, default, natural log; `"simpson"`,
   * `"observed_taxa"`, `"chao1"`), a numeric metadata field, a tax id or a taxon name. Taxa and
   * abundance metrics leave out the samples without abundances. */
  vaxis?: AlphaDiversityMetric | string;
  xlabel?: string; ylabel?: string;
  /** Default `"auto"`: boxes for categorical fields and dates, points for numbers and for
   * fields with one value per sample. */
  plotType?: "auto" | "boxplot" | "scatter";
  label?: PlotLabel;
  /** Scatter plots only: the order of the horizontal axis' values. */
  sortX?: PlotSort;
  /** Default 200 and 400 px; `"container"` to fill the element; `null` for Vega-Lite's own. */
  width?: number | "container" | null; height?: number | "container" | null;
  /** A metadata field to facet by (one chart per value). */
  facetBy?: PlotField;
  /** Read a horizontal field whose name has the word `date` (`date_collected`, `collection_date`)
   * as dates (default true). */
  coerceHaxisDates?: boolean;
  /** A second field beside the first on the horizontal axis, also coloured by. */
  secondaryHaxis?: PlotField;
  /** Match field names that are no metadata field against taxa (default true). */
  matchTaxonomy?: boolean;
}
"#;

#[wasm_bindgen(js_class = Collection)]
impl CollectionJs {
    /// The Python client's `plot_metadata`: a metadata field (or a taxon's abundance) across
    /// against an alpha diversity, a numeric field or a taxon's abundance up, as boxes or
    /// points, as a Vega-Lite spec.
    ///
    /// @example
    /// ```ts
    /// const c = await ocx.collection(["8a2b3c4d5e6f4a1b", "9b3c4d5e6f7a4b2c"]);
    /// const { spec } = c.plotMetadata({ haxis: "site", vaxis: "simpson", rank: "genus" });
    /// // await vegaEmbed("#chart", spec);
    /// ```
    #[wasm_bindgen(js_name = plotMetadata, unchecked_return_type = "Plot")]
    pub fn plot_metadata(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "MetadataPlotOptions")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        self.plot("metadata", "plotMetadata", options)
    }
}
