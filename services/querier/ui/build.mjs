// Bundles the UI into one script and one stylesheet next to index.html, in the directory given as the first argument
// (the Maven build passes target/classes/META-INF/resources, which Quarkus serves).
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const out = process.argv[2];
if (!out) {
  console.error('usage: node build.mjs <output directory>');
  process.exit(2);
}
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  outdir: out,
  entryNames: 'app',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('src/index.html', join(out, 'index.html'));
let gzipped = 0;
for (const file of ['app.js', 'app.css', 'index.html']) {
  gzipped += gzipSync(readFileSync(join(out, file))).length;
}
console.log(`ui: bundled into ${out} (${Math.round(statSync(join(out, 'app.js')).size / 1024)} kB script, ${Math.round(gzipped / 1024)} kB gzipped in all)`);
