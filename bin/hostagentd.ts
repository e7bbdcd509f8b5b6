#!/usr/bin/env node
// Only the Node check is loaded statically: the daemon follows once this Node can run it.
import { refuseOldNode } from './require-node.ts';

refuseOldNode('hostagentd');
const { main } = await import('../src/app/main.ts');
await main(process.argv.slice(2));
