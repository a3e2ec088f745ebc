// The typed filter builder gives exactly the object form's filter, refuses what the API refuses,
// and is accepted wherever a filter is.
import test from "node:test";
import assert from "node:assert/strict";
import { where, encodeWhere } from "onecodex-wasm";

test("builder and object form round-trip to the same wire JSON", () => {
  const built = where.samples.field("size").gte(1_000_000).and(where.samples.field("filename").iendswith(".fastq.gz"))
    .and({ created_at: { $gte: "2026-01-01T00:00:00+00:00" } }).field("size").lte(5e9);
  const object = { size: { $gte: 1_000_000, $lte: 5e9 }, filename: { $iendswith: ".fastq.gz" }, created_at: { $gte: "2026-01-01T00:00:00+00:00" } };
  assert.deepEqual(built.toJSON(), object);
  assert.equal(built.toString(), encodeWhere(object));
  assert.equal(encodeWhere(built), encodeWhere(object), "a builder is accepted where a filter is");
  assert.equal(where.projects.field("owner").in(["u1", "u2"]).toString(), '{"owner": {"$in": ["u1", "u2"]}}');
  assert.equal(where.samples.field("project").isNull().toString(), '{"project": null}');
  assert.equal(where.samples.field("tax_ids").containsall(["543"]).toString(), '{"tax_ids": {"$containsall": ["543"]}}');
  assert.equal(where.functionalProfiles.field("complete").eq(true).toString(), '{"complete": {"$eq": true}}');
});

test("builder steps are validated like object filters", () => {
  const bad = (f, re) => assert.throws(f, (e) => e.name === "OneCodexError" && e.code === "invalid_filter" && re.test(e.message));
  bad(() => where.samples.field("status").contains("avail"), /'status' of samples does not take operator '\$contains'/);
  bad(() => where.users.field("email").icontains("x"), /\$icontains/);
  bad(() => where.samples.field("nope"), /unknown field 'nope' for samples/);
  bad(() => where.samples.field("size").gte("big"), /expects a number/);
  bad(() => where.samples.field("created_at").gte("2026-01-01"), /RFC 3339/);
  assert.throws(() => where.samples.field("size").gte(1).field("size").gte(2), (e) => e.code === "invalid_argument" && /already has '\$gte'/.test(e.message));
  const base = where.samples.field("size").gt(1);
  base.field("size").lt(5);
  assert.equal(base.toString(), '{"size": {"$gt": 1}}', "filters are immutable");
});

test("and() takes the samples keyword forms the object form takes (tags and tax_ids lists)", () => {
  // `tags: [...]` means "has all of these tags" (§4.6), `tax_ids: [...]` "contains all of these
  // taxa" (§16.1.3): the same meaning as the builder's containsall, not $in.
  const byList = where.samples.field("size").gt(1).and({ tags: ["gut", "5c1e9e41043e4435"], tax_ids: ["543"] });
  const byBuilder = where.samples.field("size").gt(1).field("tags").containsall(["gut", "5c1e9e41043e4435"]).field("tax_ids").containsall(["543"]);
  assert.deepEqual(byList.toJSON(), byBuilder.toJSON());
  assert.equal(byList.toString(), '{"size": {"$gt": 1}, "tags": {"$containsall": ["gut", "5c1e9e41043e4435"]}, "tax_ids": {"$containsall": ["543"]}}');
  assert.equal(encodeWhere({ tags: ["gut"] }), '{"tags": {"$containsall": ["gut"]}}', "encodeWhere gives the keyword's meaning too");
  assert.equal(where.samples.and({ tags: [], tax_ids: [] }).toString(), "{}", "empty lists add nothing, as in the object form");
  assert.throws(() => where.samples.and({ tags: [5] }), (e) => e.code === "invalid_filter" && /'tags'.*tag name/.test(e.message));
  assert.throws(() => where.samples.field("tags").containsall(["a"]).and({ tags: ["b"] }), (e) => e.code === "invalid_argument" && /already has '\$containsall'/.test(e.message));
});
