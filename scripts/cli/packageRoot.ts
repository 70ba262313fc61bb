import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package directory (holding dist/ and models/), found from this module whether it runs from dist/ or from source. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(`${dir}/package.json`)) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('pixel3dmm-web: cannot find the package directory');
    dir = parent;
  }
  return dir;
}
