// Files of the package (package.json, the native addon), from any compiled module: this module is
// dist/src/package-file.js after tsc and part of a dist/bundle/*.js file after bundling, both two levels
// below the package root.
import { fileURLToPath } from 'node:url';

export function packageFile(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
