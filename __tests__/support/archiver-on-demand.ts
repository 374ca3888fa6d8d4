// cdktf requires archiver (and its ~100 modules) as it loads, and calls it only to zip a TerraformAsset,
// which this app never makes: each suite loaded it for nothing. Loaded on the first call instead.
// (jest.config.js maps `archiver` here; the path below is not mapped.)
// eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first call, on purpose
module.exports = (...args: unknown[]) => require('archiver/index.js')(...args);
