import path from 'node:path';
import { RuleTester } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterAll, describe, it } from 'vitest';
import { layeringRule } from './layering.mjs';

// RuleTester finds a test framework through these static hooks (declared loosely in its types).
Object.assign(RuleTester, { afterAll, describe, it });

const root = '/repo';
const at = (rel: string) => path.join(root, rel);
const options = [{ root, corePackages: ['zod'], nodeOnlyPackages: ['serialport'] }];

const tester = new RuleTester({ languageOptions: { parser: tseslint.parser, ecmaVersion: 2023, sourceType: 'module' } });

tester.run('layering', layeringRule, {
  valid: [
    { filename: at('core/spec/a.ts'), code: "import { b } from './b.js';", options },
    { filename: at('core/spec/a.ts'), code: "import { z } from 'zod';", options },
    { filename: at('core/node/files.ts'), code: "import { readFile } from 'node:fs/promises'; import { x } from '../spec/x.js';", options },
    { filename: at('devices/push/p.ts'), code: "import { x } from '../../core/spec/x.js'; import { SerialPort } from 'serialport';", options },
    { filename: at('main/cli/c.ts'), code: "import { x } from '../../devices/x.js'; import { y } from '../../cloud/y.js';", options },
    { filename: at('renderer/src/v.ts'), code: "import { x } from '../../core/budget/x.js';", options },
    { filename: at('renderer/src/v.ts'), code: "import type { StudioApi } from '../../main/contract/studio-api.js';", options },
    { filename: at('renderer/src/v.ts'), code: "import { type StudioApi } from '../../main/contract/studio-api.js';", options },
    // The contract is browser-safe code, not only types: the renderer runs its proxy and channels.
    { filename: at('renderer/src/v.ts'), code: "import { createApiClient } from '../../main/contract/rpc.js';", options },
    { filename: at('test/e2e.test.ts'), code: "import { x } from '../main/cli/x.js'; import fs from 'node:fs';", options },
    { filename: at('core/spec/a.test.ts'), code: "import { it } from 'vitest'; import fs from 'node:fs';", options },
  ],
  invalid: [
    { filename: at('core/spec/a.ts'), code: "import { x } from '../../main/cli/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('core/spec/a.ts'), code: "import { x } from '../node/files.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('core/spec/a.test.ts'), code: "import { x } from '../../main/cli/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('core/spec/a.ts'), code: "import { readFile } from 'node:fs';", options, errors: [{ messageId: 'nodeInBrowser' }] },
    { filename: at('core/spec/a.ts'), code: "import path from 'path';", options, errors: [{ messageId: 'nodeInBrowser' }] },
    { filename: at('core/spec/a.ts'), code: "import { Command } from 'commander';", options, errors: [{ messageId: 'packageInCore' }] },
    { filename: at('core/spec/a.ts'), code: "export { x } from '../../devices/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('core/spec/a.ts'), code: "const m = await import('../../cloud/m.js');", options, errors: [{ messageId: 'layer' }] },
    { filename: at('devices/push/p.ts'), code: "import { x } from '../../main/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('devices/push/p.ts'), code: "import { x } from '../../cloud/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('main/cli/c.ts'), code: "import { x } from '../../renderer/src/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/src/v.ts'), code: "import { ipcRenderer } from 'electron';", options, errors: [{ messageId: 'nodeInBrowser' }] },
    { filename: at('renderer/src/v.ts'), code: "import { SerialPort } from 'serialport';", options, errors: [{ messageId: 'nodeInBrowser' }] },
    { filename: at('renderer/src/v.ts'), code: "import { x } from '../../core/node/files.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/src/v.ts'), code: "import { x } from '../../devices/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/src/v.ts'), code: "import { x } from '../../main/services/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('renderer/src/v.ts'), code: "import { x } from '../../main/shell/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('main/contract/rpc.ts'), code: "import { x } from '../services/x.js';", options, errors: [{ messageId: 'layer' }] },
    { filename: at('main/contract/rpc.ts'), code: "import { WebSocketServer } from 'ws';", options: [{ root, corePackages: ['zod'], nodeOnlyPackages: ['ws'] }], errors: [{ messageId: 'nodeInBrowser' }] },
  ],
});
