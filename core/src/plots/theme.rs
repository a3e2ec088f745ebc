//! The Python client's Altair theme (`onecodex.viz.onecodex_theme`) and its palettes, with
//! `interleave_palette`, which orders the 24-colour `ocx` palette by hue then shade.

use serde_json::{json, Value};

pub const OCX_DARK_GREEN: &str = "#128887";
pub const OCX_DARK_BLUE: &str = "#16347B";
pub const OCX_RED: &str = "#DD3A3A";

/// Six hues, four shades each, darkest first within a hue.
pub const OCX: [&str; 24] = [
    OCX_DARK_BLUE,
    "#0072C7",
    "#01ACEC",
    "#97E9FC",
    "#0A605E",
    "#1DA893",
    "#3DD8BE",
    "#ABEFE2",
    "#37257D",
    "#9C78E0",
    "#CBC0F9",
    "#E3DDFF",
    "#BC5B00",
    "#EB984A",
    "#FCE34D",
    "#FEF2A3",
    "#950303",
    OCX_RED,
    "#FF8D8B",
    "#FFD5CB",
    "#771354",
    "#C13A8B",
    "#F28BBF",
    "#F9D9E7",
];

pub const OCX_CATEGORICAL: [&str; 18] = [
    "#0072C7", "#1DA893", "#9C78E0", "#EB984A", "#DD3A3A", "#C13A8B", "#01ACEC", "#3DD8BE", "#CBC0F9", "#FCE34D",
    "#FF8D8B", "#F28BBF", "#16347B", "#0A605E", "#37257D", "#BC5B00", "#950303", "#771354",
];

pub const TABLEAU10: [&str; 10] =
    ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"];

/// Light to dark; the theme's ramps run it reversed.
const SEQUENTIAL: [&str; 6] = ["#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#264153"];
const FONT_FAMILY: &str = "Fira Sans, Helvetica";
const FONT_SIZE: u32 = 12;

/// A named palette of the Python client, or a caller's list of colours.
#[derive(Debug, Clone, PartialEq)]
pub enum Palette {
    Ocx,
    OcxCategorical,
    Tableau10,
    Custom(Vec<String>),
}

impl Palette {
    /// The Python name (`"ocx"`, `"ocx_categorical"`, `"tableau10"`), or `None`.
    pub fn named(name: &str) -> Option<Palette> {
        match name {
            "ocx" => Some(Palette::Ocx),
            "ocx_categorical" => Some(Palette::OcxCategorical),
            "tableau10" => Some(Palette::Tableau10),
            _ => None,
        }
    }

    fn colors(&self) -> Vec<String> {
        let named: &[&str] = match self {
            Palette::Ocx => &OCX,
            Palette::OcxCategorical => &OCX_CATEGORICAL,
            Palette::Tableau10 => &TABLEAU10,
            Palette::Custom(colors) => return colors.clone(),
        };
        named.iter().map(|c| c.to_string()).collect()
    }
}

/// One colour per distinct value of the domain (`distinct` of them), repeating the palette as
/// Python's `interleave_palette` does. For `ocx` it first takes as few shades of each hue as
/// `distinct` needs (at most four), keeping the darkest shade for last, and orders them hue by
/// hue. An empty custom palette gives no colours rather than dividing by zero.
pub fn interleave_palette(distinct: usize, palette: &Palette) -> Vec<String> {
    const HUES: usize = 6;
    const SHADES: usize = 4;
    let mut colors = palette.colors();
    if distinct == 0 || colors.is_empty() {
        return Vec::new();
    }
    if *palette == Palette::Ocx {
        let period = distinct.div_ceil(HUES).min(SHADES);
        let offset = usize::from(period < SHADES);
        colors = (0..HUES)
            .flat_map(|hue| (offset..period + offset).map(move |shade| OCX[hue * SHADES + shade]))
            .map(str::to_string)
            .collect();
    }
    colors.iter().cycle().take(distinct).cloned().collect()
}

/// The `config` block Altair adds to every chart under the `onecodex` theme.
pub fn config() -> Value {
    let ramp: Vec<&str> = SEQUENTIAL.iter().rev().copied().collect();
    let fonts = json!({
        "labelFont": FONT_FAMILY,
        "labelFontSize": FONT_SIZE,
        "titleFont": FONT_FAMILY,
        "titleFontSize": FONT_SIZE,
    });
    let mut axis = fonts.clone();
    axis["grid"] = json!(false);
    json!({
        "range": { "heatmap": ramp, "category": OCX_CATEGORICAL, "ramp": ramp },
        "area": { "fill": OCX_DARK_GREEN },
        "bar": { "fill": OCX_DARK_GREEN },
        "mark": { "color": OCX_DARK_GREEN },
        "axis": axis,
        "legend": fonts,
        "title": { "font": FONT_FAMILY },
        "view": { "width": 400, "height": 400, "strokeWidth": 0 },
        "background": "white",
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Golden sequences printed by onecodex 1.2.0's `interleave_palette(list(range(n)))`.
    #[test]
    fn ocx_interleaving_matches_python() {
        let ocx = |n| interleave_palette(n, &Palette::Ocx);
        assert_eq!(ocx(5), ["#0072C7", "#1DA893", "#9C78E0", "#EB984A", "#DD3A3A"]);
        assert_eq!(ocx(7), ["#0072C7", "#01ACEC", "#1DA893", "#3DD8BE", "#9C78E0", "#CBC0F9", "#EB984A"]);
        let thirteen = ocx(13);
        assert_eq!(&thirteen[..4], ["#0072C7", "#01ACEC", "#97E9FC", "#1DA893"]);
        assert_eq!(thirteen[12], "#DD3A3A");
        // From 19 values on every shade is used, darkest included, in the palette's own order.
        assert_eq!(ocx(24), OCX.map(String::from));
        let thirty = ocx(30);
        assert_eq!(thirty[24..], thirty[..6]);
        assert_eq!(thirty[..6], OCX[..6]);
    }

    #[test]
    fn other_palettes_repeat_in_order() {
        assert_eq!(interleave_palette(3, &Palette::Tableau10), ["#4e79a7", "#f28e2b", "#e15759"]);
        let custom = Palette::Custom(vec!["#000".into(), "#fff".into()]);
        assert_eq!(interleave_palette(5, &custom), ["#000", "#fff", "#000", "#fff", "#000"]);
        assert!(interleave_palette(0, &Palette::Ocx).is_empty());
        assert!(interleave_palette(4, &Palette::Custom(Vec::new())).is_empty());
        assert_eq!(Palette::named("ocx_categorical"), Some(Palette::OcxCategorical));
        assert_eq!(Palette::named("viridis"), None);
    }

    #[test]
    fn config_is_pythons_theme() {
        let config = config();
        assert_eq!(config["range"]["heatmap"][0], "#264153");
        assert_eq!(config["range"]["ramp"][5], "#ffffcc");
        assert_eq!(config["range"]["category"].as_array().map(Vec::len), Some(18));
        assert_eq!(config["bar"]["fill"], OCX_DARK_GREEN);
        assert_eq!(config["axis"]["grid"], false);
        assert!(config["legend"].get("grid").is_none());
        assert_eq!(config["view"]["strokeWidth"], 0);
    }
}
