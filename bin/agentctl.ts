#!/usr/bin/env node
// Only the Node check is loaded statically: the client follows once this Node can run it.
import { refuseOldNode } from './require-node.ts';

refuseOldNode('agentctl');
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
