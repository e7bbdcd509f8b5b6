import { ERROR_CODES } from './codes.ts';

/** docs/errors.md, generated from the code table so the two cannot drift. */
export function renderErrorTable(): string {
  const rows = Object.entries(ERROR_CODES)
    .sort(([, a], [, b]) => a.rpc - b.rpc)
    .map(([code, info]) => `| \`${code}\` | ${info.rpc} | ${info.retryable ? 'yes' : 'no'} | ${info.summary.replace(/\|/g, '\\|')} |`);
  return `# Error codes

Every application error the daemon returns is a JSON-RPC error whose \`code\` is in the range
1000-1999 and whose \`data.code\` is one of the stable strings below. Panels should switch on
\`data.code\`; \`data.retryable\` says whether the same call may succeed later. Other \`data\`
fields are documented with the method (for example \`retryAt\` on \`AGENT_E_RATE_LIMITED\`,
\`field\` on \`AGENT_E_INVALID\`).

Protocol errors use the standard JSON-RPC codes: -32700 parse error (invalid JSON or invalid
UTF-8), -32600 invalid request, -32601 method not found, -32602 invalid params (\`data.field\`
names the offending field, \`data.reason\` says why), -32603 internal error (\`data.requestId\`
finds it in the log).

Codes are never renumbered or reused. This file is generated from \`src/errors/codes.ts\` by
\`node scripts/gen-docs.ts\`; a test fails when they differ.

| code | JSON-RPC code | retryable | meaning |
|---|---|---|---|
${rows.join('\n')}
`;
}
