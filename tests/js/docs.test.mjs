// The shipped API reference: every exported function, class, method and getter of every .d.ts an
// entry point of pkg/ ships has a doc comment with an `@example`, and every ```ts block of those
// examples type-checks against the built package, imported by its own name as a user would.
//
// Examples may use, without declaring them (the conventions of the reference):
//   ocx: OneCodex (a client), file: File (one the user picked), files: File[], bytes: Uint8Array
//   (results bytes as fetched or read from disk).
// Every export of "onecodex-wasm" and of "onecodex-wasm/tables" is in scope unless the example
// imports it itself; an example may import other entries ("onecodex-wasm/slim"). Each example is compiled on its own, in a block
// (so it may redeclare `ocx`), in an ES module (top-level await allowed).
import test from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import ts from "typescript";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const pkg = path.join(root, "pkg");
const ok = fs.existsSync(path.join(pkg, "package.json"));
if (!ok && process.env.CI === "true") throw new Error("pkg/ missing: run node scripts/build.mjs");

// wasm-bindgen writes these on every class without a way to document them: the memory of the
// object (free, and `using` through Symbol.dispose). They are the same on every class.
const GENERATED = new Set(["free", "[Symbol.dispose]"]);

const compilerOptions = {
  strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022, lib: ["lib.es2022.d.ts", "lib.dom.d.ts"], types: [], skipLibCheck: false,
};

/** Every .d.ts at pkg/'s root plus every `types` an export of pkg/package.json names. */
export function entryTypes() {
  const files = new Set(fs.readdirSync(pkg).filter((f) => /\.d\.c?ts$/.test(f)).map((f) => path.join(pkg, f)));
  const manifest = JSON.parse(fs.readFileSync(path.join(pkg, "package.json"), "utf8"));
  const walk = (v, key) => {
    if (typeof v === "string" && (key === "types" || key === "typings") && /\.d\.c?ts$/.test(v)) files.add(path.join(pkg, v));
    else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(manifest.types, "types");
  walk(manifest.typings, "typings");
  walk(manifest.exports, "exports");
  return [...files].sort();
}

const isExample = (t) => t.tagName.text === "example";
const tagText = (t) => ts.getTextOfJSDocComment(t.comment) ?? "";

/** The @example tags of a declaration's own doc comment. */
function examples(node) {
  return ts.getJSDocTags(node).filter(isExample);
}

function memberName(m, sf) {
  if (ts.isConstructorDeclaration(m)) return "constructor";
  return m.name ? m.name.getText(sf) : "(anonymous)";
}

/** Walks the exports of every entry: what must be documented, with its examples. */
function collect(program) {
  const checker = program.getTypeChecker();
  const items = new Map(); // "Class.method" → { where, node, examples }
  const add = (name, node) => {
    const sf = node.getSourceFile();
    const key = `${name}@${path.relative(pkg, sf.fileName)}`;
    if (items.has(key)) return;
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart(sf));
    items.set(key, { name, where: `${path.relative(root, sf.fileName)}:${line + 1}`, examples: examples(node).map(tagText) });
  };
  for (const file of entryTypes()) {
    const sf = program.getSourceFile(file);
    assert.ok(sf, `${file} was not loaded`);
    const mod = checker.getSymbolAtLocation(sf);
    if (!mod) continue; // a file without exports
    for (let sym of checker.getExportsOfModule(mod)) {
      const exported = sym.name;
      if (sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
      for (const d of sym.declarations ?? []) {
        if (!d.getSourceFile().fileName.startsWith(pkg + path.sep)) continue;
        const name = exported === "default" ? sym.name : exported;
        if (ts.isFunctionDeclaration(d)) add(`${name}()`, d);
        else if (ts.isClassDeclaration(d)) {
          add(`class ${name}`, d);
          for (const m of d.members) {
            const private_ = ts.getCombinedModifierFlags(m) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
            const mname = memberName(m, d.getSourceFile());
            if (private_ || GENERATED.has(mname)) continue;
            if (ts.isMethodDeclaration(m) || ts.isConstructorDeclaration(m) || ts.isGetAccessorDeclaration(m) || ts.isPropertyDeclaration(m)) {
              add(`${name}.${mname}`, m);
            }
          }
        } else if (ts.isInterfaceDeclaration(d)) {
          for (const m of d.members) if (ts.isMethodSignature(m)) add(`${name}.${memberName(m, d.getSourceFile())}`, m);
        } else if (ts.isVariableDeclaration(d) && checker.getTypeAtLocation(d).getCallSignatures().length) {
          add(`${name}()`, d);
        }
      }
    }
  }
  return [...items.values()];
}

const TS_BLOCK = /```ts\n([\s\S]*?)```/g;

function program(files, host) {
  return ts.createProgram({ rootNames: files, options: compilerOptions, host });
}

test("every public function, class, method and getter has a doc comment with a ```ts @example", { skip: !ok && "pkg/ not built" }, () => {
  const items = collect(program(entryTypes()));
  assert.ok(items.length > 100, `only ${items.length} items found: is the walk broken?`);
  const missing = new Map(); // name → where, one line per item whatever the number of files it is in
  for (const i of items) {
    if (i.examples.some((e) => /```ts\n[\s\S]*?\S[\s\S]*?```/.test(e))) continue;
    missing.set(i.name, [...(missing.get(i.name) ?? []), i.where]);
  }
  const list = [...missing].map(([name, where]) => `  ${name}  (${where.join(", ")})`);
  assert.equal(list.length, 0, `${list.length} exported items lack an @example with a \`\`\`ts block:\n${list.join("\n")}`);
});

test("every ```ts example in the .d.ts type-checks against the package", { skip: !ok && "pkg/ not built" }, () => {
  const items = collect(program(entryTypes()));
  const blocks = [];
  const seen = new Set();
  for (const item of items) {
    for (const e of item.examples) {
      for (const m of e.matchAll(TS_BLOCK)) {
        if (seen.has(m[1])) continue;
        seen.add(m[1]);
        blocks.push({ item, code: m[1] });
      }
    }
  }
  assert.ok(blocks.length > 0, "no examples found");

  // The names an example may use unimported: every export of the package's two entries (the
  // client's first where both have one, e.g. isOneCodexError).
  const ENTRIES = [["onecodex-wasm", "index.d.ts"], ["onecodex-wasm/tables", "tables.d.ts"]];
  const probe = program(ENTRIES.map(([, f]) => path.join(pkg, f)));
  const checker = probe.getTypeChecker();
  const exportsOf = (f) => checker.getExportsOfModule(checker.getSymbolAtLocation(probe.getSourceFile(path.join(pkg, f))))
    .map((s) => s.name).filter((n) => n !== "default");

  // Virtual files next to the package's consumers, so "onecodex-wasm" resolves as for a user.
  const dir = path.join(root, "tests", "types", "examples");
  const virtual = new Map();
  blocks.forEach((b, i) => {
    const parsed = ts.createSourceFile("x.mts", b.code, ts.ScriptTarget.ES2022, true);
    const imports = parsed.statements.filter(ts.isImportDeclaration);
    const own = new Set(imports.flatMap((d) => {
      const c = d.importClause;
      if (!c) return [];
      return [c.name?.text, ...(c.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements.map((e) => e.name.text) : [])];
    }).filter(Boolean));
    const body = parsed.statements.filter((s) => !ts.isImportDeclaration(s)).map((s) => s.getFullText(parsed)).join("");
    const taken = new Set(own);
    const prelude = [
      ...ENTRIES.map(([spec, f]) => {
        const names = exportsOf(f).filter((n) => !taken.has(n));
        names.forEach((n) => taken.add(n));
        return `import { ${names.join(", ")} } from "${spec}";`;
      }),
      ...imports.map((d) => d.getText(parsed)),
      "declare const ocx: OneCodex, file: File, files: File[], bytes: Uint8Array;",
      "{",
    ];
    b.file = path.join(dir, `example-${i}.mts`);
    b.offset = prelude.length;
    virtual.set(b.file, `${prelude.join("\n")}\n${body}\n}\nexport {};\n`);
  });
  const host = ts.createCompilerHost(compilerOptions);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => (virtual.has(f) ? ts.createSourceFile(f, virtual.get(f), lang) : getSourceFile.call(host, f, lang, ...rest));
  const prog = program([...virtual.keys()], host);
  const byFile = new Map(blocks.map((b) => [b.file, b]));
  const problems = ts.getPreEmitDiagnostics(prog).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const b = d.file && byFile.get(d.file.fileName);
    if (!b) return `${d.file ? path.relative(root, d.file.fileName) : "(global)"}: ${text}`;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
    const codeLine = line - b.offset;
    return `${b.item.name} (${b.item.where}), example line ${codeLine + 1}: ${text}\n    ${b.code.split("\n")[codeLine] ?? ""}`;
  });
  assert.equal(problems.length, 0, `${problems.length} errors in ${blocks.length} examples:\n${problems.join("\n")}`);
});

// The shipped types and the npm README speak to users: they cite no document a user of the
// package does not have (the project's wire notes and design notes, by name or section mark) and
// no issue numbers.
const INTERNAL = [/§\s?\d/, /API_SPEC/, /DESIGN\.md/, /ANCHORS\.md/, /Appendix C/, /\bissues? #?\d+\b/i];

test("the shipped .d.ts files and README cite no internal documents or issues", { skip: !ok && "pkg/ not built" }, () => {
  const files = [...entryTypes(), path.join(pkg, "README.md")];
  const found = [];
  for (const file of files) {
    fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
      if (INTERNAL.some((re) => re.test(line))) found.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.ok(files.length >= 3, `only ${files.length} files checked`);
  assert.equal(found.length, 0, `${found.length} lines cite internal documents:\n${found.slice(0, 40).join("\n")}`);
});
