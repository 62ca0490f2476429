// `npm start`: the demo (see packages/server/src/demo/start.ts), from the build that npm install made.
import { startDemo } from '../packages/server/dist/demo/start.js';

process.exitCode = await startDemo();
