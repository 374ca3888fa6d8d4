import './support/lazy-stack-traces';
import { rmSync } from 'node:fs';
import { Testing } from 'cdktf';

// Adds cdktf's matchers: toHaveResource, toHaveResourceWithProperties, toBeValidTerraform, ...
Testing.setupJest();

// Testing.app() (and synthScope) makes a /tmp/cdktf.outdir.* directory per app and never removes it:
// thousands per day. Each suite removes the ones it made.
const outdirs: string[] = [];
const testingApp = Testing.app;
Testing.app = (options = {}) => {
  const app = testingApp.call(Testing, options);
  if (!options.outdir) outdirs.push(app.outdir);
  return app;
};
afterAll(() => outdirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));
