import { config } from 'zod';

// The page's CSP forbids eval. Without this, zod probes `new Function` when core's schemas are built
// (at import) and the browser reports a policy violation; checks run the same without its compiled fast
// path. Imported first by main.ts so it runs before any module that builds a schema.
config({ jitless: true });
