'use strict';
// Stands in for cdktf 0.21.0's lib/tokens/private/stack-trace.js in the synth bundle (tools/synth/run.js checks
// that the original is the one this was written against, else it keeps the original).
//
// cdktf records where every token was created (Lazy, intrinsic, dynamic, computed-list tokens) and only ever
// reads it to explain an error. The original formats each trace to strings straight away; this captures the
// same frames, with the same unlimited depth, and formats them when first read: the same lines, in the same
// error messages, without formatting a few thousand traces that are never looked at (about 40 ms per synth).
Object.defineProperty(exports, '__esModule', { value: true });
exports.captureStackTrace = captureStackTrace;

function captureStackTrace(below) {
  below = below || captureStackTrace; // hide myself if nothing else
  const object = {};
  const previousLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(object, below);
  } finally {
    Error.stackTraceLimit = previousLimit;
  }
  let lines;
  const read = () => {
    if (lines === undefined) {
      lines = object.stack
        ? object.stack
            .split('\n')
            .slice(1)
            .map((s) => s.replace(/^\s*at\s+/, ''))
        : [];
    }
    return lines;
  };
  // An array to every reader (Array.isArray, length, join, indexes, iteration), filled on first use.
  return new Proxy([], {
    get: (_, key) => Reflect.get(read(), key),
    has: (_, key) => Reflect.has(read(), key),
    ownKeys: () => Reflect.ownKeys(read()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(read(), key),
  });
}
