// Worker threads cannot load .ts on their own (the project runs through tsx with no build step, and
// tests run under vitest): register tsx's loader in this thread, then load the real worker.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
