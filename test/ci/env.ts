// The environment for running the project's own scripts from inside a test: without the
// variables tap sets for its child processes, which would make a nested tap run behave as a
// test file instead of a runner.
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(TAP|_TAPJS)/.test(k) || k === 'NODE_OPTIONS') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}
