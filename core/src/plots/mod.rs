//! Charts as Vega-Lite specs, the same ones the Python client draws with Altair (`plot_*` of its
//! `SampleCollection`): its theme and palettes, the metadata its plots fetch, and one module per
//! kind of chart. Each takes a [`PlotInput`] and its options as JSON (the JS options object, with
//! Python's names in camelCase) and gives a [`Chart`].

pub mod theme;

mod bargraph;
mod clustering;
mod distance;
mod fields;
mod functional;
mod heatmap;
mod metadata;
mod ordination;
mod spec;

pub use bargraph::{bargraph_table, plot_bargraph, TaxaSelection};
pub use distance::plot_distance;
pub use fields::{FieldName, LabelOption, MetadataFetch};
pub use functional::{plot_functional_heatmap, FunctionalPlotInput};
pub use heatmap::plot_heatmap;
pub use metadata::plot_metadata;
pub use ordination::{plot_mds, plot_pca, plot_pcoa};
pub use spec::{dataset_name, VEGA_LITE_SCHEMA};

use crate::error::{Error, Result};
use crate::results::{Collection, MetadataItem, Warning};
use serde_json::{Map, Value};

/// The web app classifications link to when the collection did not come from an API.
pub const DEFAULT_LINK_BASE: &str = "https://app.onecodex.com";

/// Checks a caller's `linkBase`: chart links become `href`s a click opens, so only an http(s)
/// address is taken (a `javascript:` one would run in the page).
pub fn check_link_base(link_base: &str) -> Result<()> {
    let lower = link_base.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !link_base.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\".contains(c)) =>
        {
            Ok(())
        }
        _ => Err(Error::invalid_argument(format!("linkBase must be an http(s) address, got {link_base:?}"))),
    }
}

/// A function the caller gives for an option (a JS function in the wasm build).
pub type LabelFn<'a> = &'a dyn Fn(&Map<String, Value>) -> Result<String>;
pub type SortFn<'a> = &'a dyn Fn(&[String]) -> Result<Vec<String>>;

/// What every plot reads: the collection, its metadata, where links go, and the option values
/// that are functions rather than JSON.
pub struct PlotInput<'a> {
    pub collection: &'a Collection,
    pub meta: &'a [MetadataItem],
    /// The web app's origin for `url` links (the Python client's `ONE_CODEX_API_BASE`).
    pub link_base: &'a str,
    /// `label` given as a function of the metadata row.
    pub label_fn: Option<LabelFn<'a>>,
    /// `sortX` / `sortY` given as functions of the axis labels.
    pub sort_x_fn: Option<SortFn<'a>>,
    pub sort_y_fn: Option<SortFn<'a>>,
}

impl<'a> PlotInput<'a> {
    pub fn new(collection: &'a Collection, meta: &'a [MetadataItem], link_base: &'a str) -> Self {
        PlotInput { collection, meta, link_base, label_fn: None, sort_x_fn: None, sort_y_fn: None }
    }

    /// The Python client's `get_classification_url`.
    pub(crate) fn classification_url(&self, classification_id: &str) -> String {
        format!("{}/classification/{classification_id}", self.link_base.trim_end_matches('/'))
    }
}

/// A Vega-Lite spec with its data inline, and what the Python client would have warned.
#[derive(Debug, Clone)]
pub struct Chart {
    pub spec: Value,
    pub warnings: Vec<Warning>,
}

#[cfg(test)]
impl Chart {
    /// The rows of the data the chart's top level draws (tests).
    pub(crate) fn rows(&self) -> Vec<Value> {
        let name = self.spec["data"]["name"].as_str().expect("a named dataset");
        self.spec["datasets"][name].as_array().expect("inline rows").clone()
    }
}

/// The options of one plot, from the JS object (unknown names refused, as a typo would otherwise
/// pass silently).
pub(crate) fn parse_options<T: serde::de::DeserializeOwned + Default>(what: &str, options: &Value) -> Result<T> {
    if options.is_null() {
        return Ok(T::default());
    }
    serde_json::from_value(options.clone()).map_err(|e| Error::invalid_argument(format!("{what} options: {e}")))
}

/// The plots of a collection by their Python names without `plot_` (`bargraph`, `heatmap`,
/// `distance`, `pca`, `pcoa`, `mds`, `metadata`): the one list the wasm layer calls through.
pub fn plot(kind: &str, input: &PlotInput, options: &Value) -> Result<Chart> {
    match kind {
        "bargraph" => plot_bargraph(input, options),
        "heatmap" => plot_heatmap(input, options),
        "distance" => plot_distance(input, options),
        "metadata" => plot_metadata(input, options),
        "pca" => plot_pca(input, options),
        "pcoa" => plot_pcoa(input, options),
        "mds" => plot_mds(input, options),
        _ => Err(Error::invalid_argument(format!("unknown plot {kind}"))),
    }
}

/// Python's `OneCodexException`s for impossible option combinations and bad values.
pub(crate) fn plot_error(message: impl Into<String>) -> Error {
    Error::invalid_argument(message)
}

#[cfg(test)]
mod tests {
    use super::check_link_base;

    #[test]
    fn link_bases_are_http_addresses() {
        for ok in ["https://app.onecodex.com", "http://127.0.0.1:3000/", "HTTPS://eu.example/app"] {
            assert!(check_link_base(ok).is_ok(), "{ok}");
        }
        for bad in
            ["javascript:alert(1)", "https://", "ftp://x", "//evil.example", "https://a b", "https://x\"onclick", ""]
        {
            let e = check_link_base(bad).unwrap_err();
            assert_eq!(e.code, crate::error::ErrorCode::InvalidArgument, "{bad}");
        }
    }
}
