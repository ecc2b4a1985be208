#!/usr/bin/env -S node --max-semi-space-size=8
// The flags on the line above are cli/engine.ts's STARTUP_FLAGS (V8 takes them only at start-up).
// Engine settings first (cli/engine.ts), then the converters: they take effect for code not yet run.
import { tuneEngine } from '../../dist/node/cli/engine.js';
tuneEngine();
const { main } = await import('../../dist/node/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
