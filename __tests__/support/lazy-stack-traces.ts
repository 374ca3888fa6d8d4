// cdktf records an unlimited stack trace for every token it creates, to show in its error messages.
// It formats each one at once, and under jest that goes through source-map-support: two thirds of
// all synth time. Same trace, same text, formatted only when an error message reads it.
// Loaded before cdktf itself (__tests__/setup.ts): cdktf already makes tokens while it loads.
// eslint-disable-next-line @typescript-eslint/no-require-imports, @typescript-eslint/no-unsafe-function-type -- cdktf's private module, patched as it types it
const stackTrace: { captureStackTrace: (below?: Function) => string[] } = require('cdktf/lib/tokens/private/stack-trace');

stackTrace.captureStackTrace = function lazyStackTrace(below) {
  const holder = { stack: '' };
  const limit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = Number.MAX_SAFE_INTEGER;
    Error.captureStackTrace(holder, below ?? lazyStackTrace);
  } finally {
    Error.stackTraceLimit = limit;
  }
  let lines: string[] | undefined;
  // V8 formats `holder.stack` on first read; cdktf's own function splits it the same way.
  const read = () =>
    (lines ??= holder.stack
      ? holder.stack
          .split('\n')
          .slice(1)
          .map((s) => s.replace(/^\s*at\s+/, ''))
      : []);
  return new Proxy<string[]>([], {
    get: (_, key) => Reflect.get(read(), key),
    has: (_, key) => Reflect.has(read(), key),
    ownKeys: () => Reflect.ownKeys(read()),
    getOwnPropertyDescriptor: (_, key) => Reflect.getOwnPropertyDescriptor(read(), key),
  });
};

export {};
