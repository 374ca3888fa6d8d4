#!/usr/bin/env node
// npm run synth: runs main.ts as one prebuilt bundle instead of transpiling the app and loading ~450 modules at
// every start (issue 17). Plain JavaScript, so nothing has to be compiled before it runs.
//
//   1. The bundle: esbuild bundles main.ts with everything it imports (our .ts sources and the cdktf, constructs
//      and provider modules) into node_modules/.cache/host-name-synth/bundle.js, with a record of its inputs.
//   2. It is rebuilt whenever it could be stale: an input of ours changed (content hash), a file appeared or went
//      in one of our source directories (module resolution could change), a package file was replaced or
//      touched (inode, size, mtime; npm ci replaces every file), tsconfig.json, package.json, this file or the
//      esbuild or Node version changed. Checking costs a few milliseconds; a rebuild about half a second.
//   3. It runs in this process as a CommonJS module through vm.Script with V8's code cache, so the 3.5 MB are
//      not parsed and compiled again on every start. V8 rejects a cache that does not match the source or the
//      V8 version/flags; it is then made again.
//
// The bundle's output is byte-identical to `node --require tsx/cjs main.ts` (compared in bench/run.sh); that
// command still works and runs the sources directly (stack traces then point at the .ts files).
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '..', '..');
const ENTRY = path.join(ROOT, 'main.ts');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'host-name-synth');
/** The current bundle's name and what it was built from. Bundles are named by their content hash and never change. */
const RECORD = path.join(CACHE_DIR, 'inputs.json');
/** Files whose names, if one appears or goes next to our sources, could change what an import resolves to. */
const RESOLVABLE = /\.(?:[cm]?[jt]sx?|json)$/;

const sha1 = (data) => createHash('sha1').update(data).digest('hex');
const isPackageFile = (rel) => rel.split(/[\\/]/).includes('node_modules');

/** What the bundle depends on besides its inputs: the build recipe and the tools. */
function buildKey() {
  const esbuildVersion = require(require.resolve('esbuild/package.json', { paths: [ROOT] })).version;
  return sha1(
    [fs.readFileSync(__filename), fs.readFileSync(path.join(ROOT, 'tsconfig.json')), fs.readFileSync(path.join(ROOT, 'package.json')), esbuildVersion, process.version].join('\0'),
  );
}

/** The fingerprint of one input: content for ours, identity for package files (hashing them all costs more than it saves). */
function fingerprint(rel) {
  const abs = path.join(ROOT, rel);
  if (!isPackageFile(rel)) return sha1(fs.readFileSync(abs));
  const s = fs.statSync(abs);
  return `${s.ino}:${s.size}:${s.mtimeMs}`;
}

function listing(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((name) => RESOLVABLE.test(name))
    .sort()
    .join('/');
}

/** The recorded bundle if its inputs still match the tree, else undefined (any error, such as a deleted input, means stale). */
function freshBundle(key) {
  try {
    const record = JSON.parse(fs.readFileSync(RECORD, 'utf8'));
    if (record.key !== key) return undefined;
    for (const [dir, names] of Object.entries(record.dirs)) if (listing(dir) !== names) return undefined;
    for (const [rel, print] of Object.entries(record.files)) if (fingerprint(rel) !== print) return undefined;
    const bundle = path.join(CACHE_DIR, record.bundle);
    return { bundle, source: fs.readFileSync(bundle, 'utf8') };
  } catch {
    return undefined;
  }
}

/**
 * `__dirname` and `__filename` keep meaning the file they are written in (host-name-stack.ts finds workload/
 * from its own directory; cdktf's archive helper runs its own file), not the bundle.
 */
const keepFileLocation = {
  name: 'keep-file-location',
  setup(build) {
    build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
      const source = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(?:dirname|filename)\b/.test(source)) return undefined;
      const loader = /\.[cm]?tsx?$/.test(args.path) ? (args.path.endsWith('x') ? 'tsx' : 'ts') : args.path.endsWith('x') ? 'jsx' : 'js';
      // After a hashbang and the directive prologue, so "use strict" stays a directive.
      const prologue = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|(['"])use strict\1;?)*/.exec(source)[0];
      const defines = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};\n`;
      return { contents: prologue + defines + source.slice(prologue.length), loader };
    });
  },
};

async function build(key) {
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    write: false,
    outfile: path.join(CACHE_DIR, 'bundle.js'),
    metafile: true,
    logLevel: 'warning', // errors and warnings on stderr, with file and line
    plugins: [keepFileLocation],
  });
  const files = {};
  const dirs = {};
  for (const rel of Object.keys(result.metafile.inputs)) {
    files[rel] = fingerprint(rel);
    if (!isPackageFile(rel)) dirs[path.dirname(rel)] = listing(path.dirname(rel));
  }
  const source = result.outputFiles[0].text;
  // Content-addressed, so a code cache (bundle-<hash>.v8cache) only ever meets the source it was made from:
  // V8 itself checks little more than the source's length.
  const name = `bundle-${sha1(source)}.js`;
  const bundle = path.join(CACHE_DIR, name);
  fs.mkdirSync(CACHE_DIR, { recursive: true });
  writeAtomically(bundle, source);
  writeAtomically(RECORD, JSON.stringify({ key, bundle: name, files, dirs }));
  for (const old of fs.readdirSync(CACHE_DIR)) {
    if (old.startsWith('bundle-') && !old.startsWith(name.slice(0, -3))) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
  }
  return { bundle, source };
}

/** Via a rename, so a concurrent run reads the old file or the new one, never half of one. */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Runs the bundle as the main module would run, in this process, with V8's code cache. */
function execute({ bundle, source }) {
  const codeCache = bundle.replace(/\.js$/, '.v8cache');
  let cachedData;
  try {
    cachedData = fs.readFileSync(codeCache);
  } catch {
    cachedData = undefined;
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, cachedData });
  const module = new Module(bundle, null);
  module.filename = bundle;
  module.paths = Module._nodeModulePaths(path.dirname(bundle));
  script.runInThisContext().call(module.exports, module.exports, Module.createRequire(bundle), module, bundle, path.dirname(bundle));
  module.loaded = true;
  // After the run, so the cache also holds the functions the run compiled.
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeAtomically(codeCache, script.createCachedData());
    } catch {
      // A read-only node_modules only costs the next run its compile time.
    }
  }
}

const key = buildKey();
const fresh = freshBundle(key);
if (fresh) {
  execute(fresh); // synchronous: errors and process.exit behave as in `node main.js`
} else {
  build(key).then(execute, (error) => {
    // esbuild has already printed its messages (a syntax error, an unresolved import).
    if (!Array.isArray(error.errors)) console.error(error);
    process.exit(1);
  });
}
