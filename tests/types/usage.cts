// The CommonJS view of the same types (index.d.cts), as a `require` user in TypeScript sees them.
import onecodex = require("onecodex-wasm");

const ocx = new onecodex.OneCodex({ bearerToken: "t" });
const wire: string = onecodex.encodeWhere({ project: "4b53797444f846c4" });
// @ts-expect-error: listingUrl needs a resource name
ocx.listingUrl();

export = { wire };
