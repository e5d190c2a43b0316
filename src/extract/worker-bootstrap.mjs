// Worker threads cannot load .ts on their own: when the pool runs from the TypeScript sources
// (vitest, the tsx scripts) its workers start here, register tsx's loader, then load the real worker.
// The built CLI (dist/) starts workers on dist/extract/worker-start.js instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker-start.ts');
