// Bundled by scripts/build.mjs into www/vendor/vega.js (vega-embed with vega and vega-lite), so
// the demo draws charts with nothing from a CDN.
export { default as vegaEmbed } from "vega-embed";
