// Bundles the explorer into dist/: explorer.js, explorer.css and index.html.
//
// One JS file and one CSS file, no code splitting and no source maps, so the page can
// only ever ask the server for /explorer/* and /graphql (the network has no internet).
import { build } from 'esbuild';
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';

const outdir = 'dist';
await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

await build({
  entryPoints: { explorer: 'src/main.jsx' },
  outdir,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Anything a stylesheet references is inlined, so nothing is fetched lazily later.
  loader: { '.woff2': 'dataurl', '.woff': 'dataurl', '.ttf': 'dataurl', '.png': 'dataurl', '.svg': 'dataurl' },
  legalComments: 'eof', // keep the bundled packages' licence notices
  logLevel: 'warning',
});
await copyFile('src/index.html', `${outdir}/index.html`);

// Guard against a future package upgrade that pulls in a web font or an @import from a
// CDN: the page would still "work" online and then break on the government network.
const css = await readFile(`${outdir}/explorer.css`, 'utf8');
const remote = [...css.matchAll(/url\(\s*['"]?(?!data:|#)([^'")]+)|@import\s+[^;]+/g)].map((m) => m[0]);
if (remote.length) {
  console.error('explorer.css references files outside the bundle:', remote.slice(0, 5));
  process.exit(1);
}
