#!/usr/bin/env node
import { main } from '../src/app/main.ts';

await main(process.argv.slice(2));
