//! Charts as Vega-Lite specs, the same ones the Python client draws with Altair: its theme and
//! palettes here; one module per kind of chart as they land.

pub mod theme;
