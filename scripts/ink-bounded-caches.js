// Ink 6 keeps every text it ever measured or wrapped in two module-level caches that are never emptied
// (ink#986; Ink 7 bounds them, but needs Node 22). A live list that follows the capture renders new rows
// many times a second, so those caches grew by about a megabyte a second in bench/soak. The bundle
// rewrites the two caches into bounded ones: emptied when full, and the wrap cache keyed so that a text
// and a width cannot run into each other (ink#998). A rewrite that no longer matches Ink's source fails
// the build rather than shipping the leak.

/** Entries a cache holds before it starts over: a screen's texts many times over. */
const CACHE_ENTRIES = 4096;

const BOUNDED_MAP = `new (class extends Map { set(key, value) { if (this.size >= ${CACHE_ENTRIES}) this.clear(); return super.set(key, value); } })()`;

/** Ink's file (by the end of its path) -> the exact texts replaced in it and their replacements. */
const REWRITES = {
  'ink/build/measure-text.js': [['const cache = new Map();', `const cache = ${BOUNDED_MAP};`]],
  'ink/build/wrap-text.js': [
    ['const cache = {};', `const cache = ${BOUNDED_MAP};`],
    ['const cacheKey = text + String(maxWidth) + String(wrapType);', "const cacheKey = String(maxWidth) + '\\0' + String(wrapType) + '\\0' + text;"],
    ['const cachedText = cache[cacheKey];', 'const cachedText = cache.get(cacheKey);'],
    ['cache[cacheKey] = wrappedText;', 'cache.set(cacheKey, wrappedText);'],
  ],
};

/** `source` of the Ink file at `path` with its caches bounded; throws when Ink's text is not the one expected. */
export function boundInkCaches(path, source) {
  const file = Object.keys(REWRITES).find((end) => path.replaceAll('\\', '/').endsWith(end));
  if (file === undefined) return source;
  let rewritten = source;
  for (const [from, to] of REWRITES[file]) {
    if (!rewritten.includes(from)) throw new Error(`${path}: "${from}" not found; Ink changed, see scripts/ink-bounded-caches.js`);
    rewritten = rewritten.replace(from, to);
  }
  return rewritten;
}

/** The esbuild plugin: every file of REWRITES must be bundled and rewritten, or the build fails. */
export const inkBoundedCaches = {
  name: 'ink-bounded-caches',
  setup(build) {
    const rewritten = new Set();
    const filter = /ink[\\/]build[\\/](measure|wrap)-text\.js$/;
    build.onLoad({ filter }, async ({ path }) => {
      const { readFile } = await import('node:fs/promises');
      rewritten.add(path);
      return { contents: boundInkCaches(path, await readFile(path, 'utf8')), loader: 'js' };
    });
    build.onEnd((result) => {
      if (result.errors.length === 0 && rewritten.size !== Object.keys(REWRITES).length) {
        return { errors: [{ text: `ink-bounded-caches: rewrote ${rewritten.size} of ${Object.keys(REWRITES).length} files; Ink's layout changed` }] };
      }
    });
  },
};
