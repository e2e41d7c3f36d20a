// Bundles the UI into the classes directory given as the first argument (the Maven build passes target/classes):
// the script, its lazily loaded chunks and the stylesheet under META-INF/resources, which Quarkus serves as static
// files, with a content hash in every name so that browsers may cache them for good; the page itself, which names
// them, under gauntlet-ui/, from where the querier serves it uncached (an upgraded querier's page names its new files).
import { build } from 'esbuild';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { basename, join } from 'node:path';

const classes = process.argv[2];
if (!classes) {
  console.error('usage: node build.mjs <classes directory>');
  process.exit(2);
}
const out = join(classes, 'META-INF', 'resources');
const pageDir = join(classes, 'gauntlet-ui');
mkdirSync(out, { recursive: true });
mkdirSync(pageDir, { recursive: true });
for (const old of readdirSync(out).filter((f) => /^((app|chunk)-.*\.(js|css)|app\.(js|css)|index\.html)$/.test(f))) {
  rmSync(join(out, old)); // what earlier builds left there
}
const result = await build({
  entryPoints: ['src/main.js'],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2022'], // class fields as the browser has them: no helper chunk the first script must fetch before it runs
  outdir: out,
  entryNames: 'app-[hash]',
  // uPlot is imported when the first graph is drawn: its own chunk, not part of the page's first script
  splitting: true,
  chunkNames: 'chunk-[hash]',
  metafile: true,
  legalComments: 'none',
  logLevel: 'warning',
});
const outputs = Object.entries(result.metafile.outputs);
const script = basename(outputs.find(([, o]) => o.entryPoint && o.entryPoint.endsWith('main.js'))[0]);
const stylesheet = basename(outputs.find(([f]) => f.endsWith('.css'))[0]);
const page = readFileSync('src/index.html', 'utf8').replace('/app.js', '/' + script).replace('/app.css', '/' + stylesheet);
if (!page.includes(script) || !page.includes(stylesheet)) {
  console.error('ui: src/index.html must load /app.js and /app.css');
  process.exit(1);
}
writeFileSync(join(pageDir, 'index.html'), page);
let gzipped = gzipSync(page).length;
const chunks = readdirSync(out).filter((f) => f.startsWith('chunk-'));
for (const file of [script, stylesheet, ...chunks]) {
  gzipped += gzipSync(readFileSync(join(out, file))).length;
}
const lazy = chunks.reduce((sum, f) => sum + statSync(join(out, f)).size, 0);
console.log(`ui: bundled into ${out} (${Math.round(statSync(join(out, script)).size / 1024)} kB first script, `
  + `${Math.round(lazy / 1024)} kB in chunks, ${Math.round(gzipped / 1024)} kB gzipped in all)`);
