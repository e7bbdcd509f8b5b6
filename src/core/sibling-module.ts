// Child scripts and worker threads are started by file path. Run from source they are .ts files;
// in the build that ships (dist/) they are .js. The path follows the extension of the module that
// asks, so both layouts find their children.
import { fileURLToPath } from 'node:url';

/** The file path of module `name` (no extension) in the directory of the module at `moduleUrl`. */
export function siblingModule(moduleUrl: string, name: string): string {
  const ext = new URL(moduleUrl).pathname.endsWith('.ts') ? '.ts' : '.js';
  return fileURLToPath(new URL(`./${name}${ext}`, moduleUrl));
}
