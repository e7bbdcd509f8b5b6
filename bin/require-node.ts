// The Node the entry points need, checked before anything else is loaded: an older Node cannot
// run the TypeScript sources and crashes without a word loading the native SQLite module, so it
// gets one line instead. This file imports nothing, so it loads on any Node that runs ES modules.

/** The same floor as package.json `engines` and scripts/bootstrap-node.sh (type stripping by default). */
export const MIN_NODE = '22.18';

export function nodeIsSupported(version: string = process.versions.node): boolean {
  const [major = 0, minor = 0] = version.split('.').map(Number);
  const [needMajor = 0, needMinor = 0] = MIN_NODE.split('.').map(Number);
  return major > needMajor || (major === needMajor && minor >= needMinor);
}

/** Exits 1 with one line on stderr when this Node is older than MIN_NODE. */
export function refuseOldNode(command: string): void {
  if (nodeIsSupported()) return;
  process.stderr.write(`${command}: needs Node ${MIN_NODE} or newer, this is ${process.version} (${process.execPath}); from a checkout run bin/${command}, which fetches one\n`);
  process.exit(1);
}
