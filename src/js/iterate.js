// `for await (const item of ocx.samples.iter(...))`: an async generator over a wasm PageStream,
// yielding items as each page arrives. Breaking out of the loop frees the stream.
export function asyncItems(stream) {
  return (async function* items() {
    try {
      for (;;) {
        const page = await stream.next();
        if (page === undefined) return;
        yield* page;
      }
    } finally {
      stream.free();
    }
  })();
}
