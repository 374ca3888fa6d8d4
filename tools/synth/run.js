#!/usr/bin/env node
// npm run synth (and cdktf.json's app): runs main.ts as one prebuilt bundle instead of transpiling the app and
// loading ~450 modules at every start. Plain JavaScript, so nothing is compiled before it runs.
//
//   1. The bundle: esbuild bundles main.ts with everything it imports (our .ts sources, cdktf, constructs, the
//      provider classes) into node_modules/.cache/host-name-synth/ (never committed), with a record of what
//      it was built from.
//   2. It is rebuilt whenever it could be stale: a package file it includes was replaced or written (inode,
//      size, mtime and ctime: every write moves ctime, and npm ci replaces every file), one of our inputs
//      (sources, this directory, tsconfig.json, package.json) has other content, a resolvable file appeared in
//      or left one of our source directories, esbuild's package.json changed, or Node did. Checking costs a
//      few milliseconds; a rebuild about a second.
//   3. It runs in this process as a CommonJS main module through vm.Script with V8's code cache, so its 2 MB
//      are not parsed and compiled again at every start. Bundles are named by their content hash, and so are
//      their caches: V8 would accept a cache made for any source of the same length.
//
// Output is byte-identical to `node --require tsx/cjs main.ts` (bench/run.sh compares them), which still works
// and runs the sources directly: use it when you want stack traces that point into the .ts files.
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

const ROOT = path.resolve(__dirname, '..', '..');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'host-name-synth');
const RECORD = path.join(CACHE_DIR, 'record.json');
const KEY = `${process.version} ${process.arch} 3`; // the last number: bump when the record's format changes
/** File names that, appearing next to our sources, could change what an import resolves to. */
const RESOLVABLE = /\.(?:[cm]?[jt]sx?|json)$/;

const isPackageFile = (rel) => rel.split(/[\\/]/).includes('node_modules');
const sha1 = (data) => require('node:crypto').createHash('sha1').update(data).digest('hex');

function identity(rel) {
  const s = fs.statSync(path.join(ROOT, rel));
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

function listing(dir) {
  return fs
    .readdirSync(path.join(ROOT, dir))
    .filter((name) => RESOLVABLE.test(name))
    .sort()
    .join('/');
}

/** The recorded bundle if nothing it was built from changed, else undefined (so is any error: a deleted input). */
function freshBundle() {
  try {
    const record = JSON.parse(fs.readFileSync(RECORD, 'utf8'));
    if (record.key !== KEY) return undefined;
    for (const dir in record.dirs) if (listing(dir) !== record.dirs[dir]) return undefined;
    for (const rel in record.files) {
      const [id, hash] = record.files[rel];
      // A file of ours that was only touched (saved unchanged, checked out again) is still the same input.
      if (identity(rel) !== id && (hash === undefined || sha1(fs.readFileSync(path.join(ROOT, rel))) !== hash)) return undefined;
    }
    const bundle = path.join(CACHE_DIR, record.bundle);
    return { bundle, source: fs.readFileSync(bundle, 'latin1') }; // ASCII (charset below): no UTF-8 decoding
  } catch {
    return undefined;
  }
}

const plugins = [
  {
    // `__dirname` and `__filename` keep meaning the file they are written in (environment-stack.ts finds workload/
    // from its own directory; cdktf's archive helper runs its own file), not the bundle.
    name: 'keep-file-location',
    setup(build) {
      build.onLoad({ filter: /\.[cm]?[jt]sx?$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        if (!/\b__(?:dirname|filename)\b/.test(source)) return undefined;
        const ext = path.extname(args.path).replace(/^\.[cm]?/, '');
        // After a hashbang and the directive prologue, so "use strict" stays a directive.
        const prologue = /^(?:#![^\n]*\n)?(?:\s|\/\/[^\n]*\n|\/\*[\s\S]*?\*\/|(['"])use strict\1;?)*/.exec(source)[0];
        const defines = `var __filename = ${JSON.stringify(args.path)}, __dirname = ${JSON.stringify(path.dirname(args.path))};\n`;
        return { contents: prologue + defines + source.slice(prologue.length), loader: ext };
      });
    },
  },
];

async function build() {
  const esbuild = require(require.resolve('esbuild', { paths: [ROOT] }));
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [path.join(ROOT, 'main.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: `node${process.versions.node.split('.')[0]}`,
    // Names and syntax stay as written (cdktf never reads constructor names into the output, but errors do).
    minifyWhitespace: true,
    charset: 'ascii',
    write: false,
    outfile: path.join(CACHE_DIR, 'bundle.js'),
    metafile: true,
    logLevel: 'warning', // errors and warnings on stderr, with file and line
    plugins,
  });
  const rel = (file) => path.relative(ROOT, file);
  const files = {};
  const dirs = {};
  /** [identity, content hash]: packages' files by identity alone (hashing them all would cost more than it saves). */
  const add = (file) =>
    (files[file] = isPackageFile(file) ? [identity(file)] : [identity(file), sha1(fs.readFileSync(path.join(ROOT, file)))]);
  for (const input of Object.keys(result.metafile.inputs)) {
    add(input);
    if (!isPackageFile(input)) dirs[path.dirname(input)] = listing(path.dirname(input));
  }
  for (const name of fs.readdirSync(__dirname)) add(rel(path.join(__dirname, name)));
  for (const file of ['tsconfig.json', 'package.json', rel(require.resolve('esbuild/package.json', { paths: [ROOT] }))]) add(file);
  const source = result.outputFiles[0].text;
  const name = `bundle-${sha1(source)}.js`;
  const bundle = path.join(CACHE_DIR, name);
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    writeAtomically(bundle, source); // the bundle before the record that names it
    writeAtomically(RECORD, JSON.stringify({ key: KEY, bundle: name, files, dirs }));
    for (const old of fs.readdirSync(CACHE_DIR)) {
      if (old.startsWith('bundle-') && !old.startsWith(name.slice(0, -'.js'.length))) fs.rmSync(path.join(CACHE_DIR, old), { force: true });
    }
  } catch {
    // A read-only node_modules: this run still synthesizes from the bundle in memory; the next builds again.
  }
  return { bundle, source };
}

/** Via a rename, so a concurrent run reads the old file or the new one, never half of one. */
function writeAtomically(file, data) {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

/** Runs the bundle as Node runs a main module, in this process, with V8's code cache. */
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
  // After the run, so the cache also holds the functions the run compiled. V8 rejects a cache made under other
  // flags or another V8; it is then made again.
  if (cachedData === undefined || script.cachedDataRejected) {
    try {
      writeAtomically(codeCache, script.createCachedData());
    } catch {
      // A read-only node_modules only costs the next run its compile time.
    }
  }
}

const fresh = freshBundle();
if (fresh) {
  execute(fresh); // synchronous: errors and process.exit behave as in `node main.js`
} else {
  build().then(execute, (error) => {
    // esbuild has already printed its messages (a syntax error, an unresolved import).
    if (!Array.isArray(error.errors)) console.error(error);
    process.exit(1);
  });
}
