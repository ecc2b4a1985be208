#!/usr/bin/env node
// The `mailferry` launcher beside this file starts it with cli/engine.ts's start-up settings.
// Engine settings first (cli/engine.ts), then the converters: they take effect for code not yet run.
import { tuneEngine } from '../../dist/node/cli/engine.js';
tuneEngine();
const { main } = await import('../../dist/node/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
