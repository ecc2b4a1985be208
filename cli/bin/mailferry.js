#!/usr/bin/env -S MALLOC_ARENA_MAX=1 node --max-semi-space-size=8
// The line above is cli/engine.ts's shebang(): STARTUP_ENV and STARTUP_FLAGS (read only at start-up).
// Engine settings first (cli/engine.ts), then the converters: they take effect for code not yet run.
import { tuneEngine } from '../../dist/node/cli/engine.js';
tuneEngine();
const { main } = await import('../../dist/node/cli/main.js');
process.exitCode = await main(process.argv.slice(2));
