//! `TaxonomyTree`: the taxonomy of a collection, with lineages and pruning.

use super::convert::core_warnings_js;
use crate::convert::{array_items, string_arg};
use crate::error::{bad_argument, to_js as err_js};
use js_sys::Array;
use onecodex_core::results::{Rank, TaxonomyTree as CoreTree, Warning};
use serde::Serialize;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(typescript_custom_section)]
const TS_TAXONOMY: &str = r#"
export interface TaxonomyNode { tax_id: string; name: string | null; rank: string | null; parent: string | null; children: string[]; }
"#;

/// A taxonomy tree rooted at `"1"`, built from the `parent_tax_id`s of the results.
///
/// @example
/// ```ts
/// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
/// console.log(tree.lineage("562")?.map((n) => n.name).join(" > "));
/// ```
#[wasm_bindgen(js_name = TaxonomyTree)]
pub struct TaxonomyTreeJs {
    pub(super) tree: CoreTree,
    pub(super) warnings: Vec<Warning>,
}

#[derive(Serialize)]
struct NodeOut<'a> {
    tax_id: &'a str,
    name: Option<&'a str>,
    rank: Option<&'a str>,
    parent: Option<&'a str>,
    children: Vec<&'a str>,
}

impl TaxonomyTreeJs {
    fn node_js(&self, i: usize) -> Result<JsValue, JsValue> {
        let n = self.tree.node(i);
        let out = NodeOut {
            tax_id: &n.tax_id,
            name: n.name.as_deref(),
            rank: n.rank.as_deref(),
            parent: n.parent.map(|p| self.tree.node(p).tax_id.as_str()),
            children: n.children.iter().map(|&c| self.tree.node(c).tax_id.as_str()).collect(),
        };
        out.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(|e| bad_argument("tree node", e))
    }
}

#[wasm_bindgen(js_class = TaxonomyTree)]
impl TaxonomyTreeJs {
    /// Nodes in the tree.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// console.log(`${tree.length} nodes`);
    /// ```
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.tree.post_order().len()
    }

    /// Missing parents met while building (those taxa are left out).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// for (const w of tree.warnings) console.warn(w.message);
    /// ```
    #[wasm_bindgen(getter, unchecked_return_type = "Warning[]")]
    pub fn warnings(&self) -> Array {
        core_warnings_js(&self.warnings)
    }

    /// The root node (`"1"`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const root = tree.root(); // { tax_id: "1", children: [...] }
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode")]
    pub fn root(&self) -> Result<JsValue, JsValue> {
        self.node_js(self.tree.root())
    }

    /// A node by tax id, or undefined.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const ecoli = tree.node("562");
    /// console.log(ecoli?.parent, ecoli?.rank);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode | undefined")]
    pub fn node(&self, #[wasm_bindgen(unchecked_param_type = "string")] tax_id: JsValue) -> Result<JsValue, JsValue> {
        match self.tree.find(&string_arg("taxId", &tax_id)?) {
            Some(i) => self.node_js(i),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Root first, ending with the node itself; undefined for an unknown tax id.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const names = tree.lineage("562")?.map((n) => n.name); // ["root", …, "Escherichia coli"]
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode[] | undefined")]
    pub fn lineage(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] tax_id: JsValue,
    ) -> Result<JsValue, JsValue> {
        match self.tree.lineage(&string_arg("taxId", &tax_id)?) {
            Some(l) => Ok(l.into_iter().map(|i| self.node_js(i)).collect::<Result<Array, _>>()?.into()),
            None => Ok(JsValue::UNDEFINED),
        }
    }

    /// Every node reachable from the root, children before parents.
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const leaves = tree.nodes().filter((n) => n.children.length === 0);
    /// ```
    #[wasm_bindgen(unchecked_return_type = "TaxonomyNode[]")]
    pub fn nodes(&self) -> Result<Array, JsValue> {
        self.tree.post_order().into_iter().map(|i| self.node_js(i)).collect()
    }

    /// Keeps nodes of `rank` and their ancestors (`prune_rank`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const genera = tree.pruneRank("genus");
    /// ```
    #[wasm_bindgen(js_name = pruneRank)]
    pub fn prune_rank(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Rank")] rank: JsValue,
    ) -> Result<TaxonomyTreeJs, JsValue> {
        let rank = Rank::parse(&string_arg("rank", &rank)?).map_err(err_js)?;
        Ok(TaxonomyTreeJs { tree: self.tree.prune_rank(rank).map_err(err_js)?, warnings: vec![] })
    }

    /// Keeps the given tax ids and their ancestors (`prune_tax_ids`).
    ///
    /// @example
    /// ```ts
    /// const tree = (await ocx.collection(["8a2b3c4d5e6f4a1b"])).tree();
    /// const small = tree.pruneTaxIds(["562", "1280"]);
    /// ```
    #[wasm_bindgen(js_name = pruneTaxIds)]
    pub fn prune_tax_ids(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string[]")] tax_ids: JsValue,
    ) -> Result<TaxonomyTreeJs, JsValue> {
        let tax_ids: Vec<String> = array_items("pruneTaxIds", &tax_ids)?
            .iter()
            .map(|v| string_arg("pruneTaxIds tax id", v))
            .collect::<Result<_, _>>()?;
        Ok(TaxonomyTreeJs { tree: self.tree.prune_tax_ids(&tax_ids).map_err(err_js)?, warnings: vec![] })
    }
}
