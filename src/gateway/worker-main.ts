/** Entry point of a proxy worker process (node:cluster runs this file; see cluster.ts). */
import { runWorker } from './worker.js';

await runWorker();
