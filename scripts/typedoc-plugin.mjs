// TypeDoc plugin: wasm-bindgen writes `free()` and `[Symbol.dispose]()` on every class without a
// doc comment (there is no Rust item to document). They get one here, so the reference explains
// them and `validation.notDocumented` can require documentation of everything else.
import { Comment, Converter, ReflectionKind } from "typedoc";

const TEXT = {
  free: "Releases the object's wasm memory now instead of at garbage collection (optional). The object cannot be used afterwards.",
  "[dispose]": "The same as `free()`, for `using` declarations.",
};

/** @param {import("typedoc").Application} app */
export function load(app) {
  app.converter.on(Converter.EVENT_CREATE_SIGNATURE, (_context, signature) => {
    const method = signature.parent;
    const text = TEXT[method?.name];
    if (!text || signature.comment || !method.parent?.kindOf(ReflectionKind.Class | ReflectionKind.Interface)) return;
    signature.comment = new Comment([{ kind: "text", text }]);
  });
}
