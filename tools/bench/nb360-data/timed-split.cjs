// Data-wait measurement for the NAS-Bench-360 data benchmarks.
'use strict';

/**
 * A split whose batches() iterator records the time spent producing each batch into `clock`
 * (`ms` in all, `firstMs` for the first batch, `batches`).
 */
function timedSplit(split, clock) {
  return {
    size: split.size,
    batches(o) {
      const inner = split.batches(o)[Symbol.asyncIterator]();
      return {
        [Symbol.asyncIterator]() {
          return {
            async next() {
              const t0 = performance.now();
              const r = await inner.next();
              const ms = performance.now() - t0;
              if (clock.batches === 0) clock.firstMs += ms;
              clock.ms += ms;
              clock.batches += r.done ? 0 : 1;
              return r;
            },
          };
        },
      };
    },
  };
}

module.exports = { timedSplit };
