// The layering rule: which part of the tree may import which (DESIGN.md §3). A wrong import fails lint,
// so the direction is kept by CI rather than by review. Plain JS because ESLint loads it unbuilt.
import { builtinModules } from 'node:module';
import path from 'node:path';

const BUILTINS = new Set(builtinModules);

/** Layers by folder; the first matching prefix wins, so core/node comes before core. */
const LAYERS = [
  ['core/node/', 'core-node'],
  ['core/', 'core'],
  ['devices/', 'devices'],
  ['cloud/', 'cloud'],
  ['main/contract/', 'contract'],
  ['main/', 'main'],
  ['renderer/', 'renderer'],
];

/** Which of our layers each layer may import. Layers not listed (test/, bench/, scripts/) are free. */
const MAY_IMPORT = {
  core: ['core'],
  'core-node': ['core', 'core-node'],
  devices: ['core', 'core-node', 'devices'],
  cloud: ['core', 'core-node', 'cloud'],
  contract: ['core', 'contract'],
  main: ['core', 'core-node', 'devices', 'cloud', 'contract', 'main'],
  renderer: ['core', 'contract', 'renderer'],
};

const WHY = {
  core: 'core/ imports nothing of ours outside core/ and nothing Node-only outside core/node/',
  'core-node': 'core/node/ may import only core/',
  devices: 'devices/ may import only core/',
  cloud: 'cloud/ may import only core/',
  contract: 'the StudioApi contract may import only core/',
  main: 'main/ must not import the renderer',
  renderer: 'the renderer talks to the rest only through StudioApi; it may import browser-safe core/ and main/contract/ (the API, its proxy and channels)',
};

/** Layers that run in a browser: no Node built-ins, no Electron, only packages known to be browser-safe or not Node-only. */
const BROWSER_LAYERS = new Set(['core', 'renderer', 'contract']);

function layerOf(relPath) {
  const p = relPath.split(path.sep).join('/');
  for (const [prefix, layer] of LAYERS) if (p.startsWith(prefix)) return layer;
  return undefined;
}

function packageName(spec) {
  const parts = spec.split('/');
  return spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const layeringRule = {
  meta: {
    type: 'problem',
    docs: { description: 'Keep imports flowing one way between core, devices, cloud, main and renderer' },
    schema: [
      {
        type: 'object',
        properties: {
          root: { type: 'string' },
          corePackages: { type: 'array', items: { type: 'string' } },
          nodeOnlyPackages: { type: 'array', items: { type: 'string' } },
        },
        additionalProperties: false,
      },
    ],
    messages: {
      layer: '{{from}} may not import {{to}} ("{{spec}}"): {{why}}.',
      nodeInBrowser: '{{from}} runs in the browser and may not import "{{spec}}" ({{kind}}): {{why}}.',
      packageInCore: 'core/ may import only these packages: {{allowed}}; "{{spec}}" is not one of them (put Node-only code in core/node/).',
    },
  },
  create(context) {
    const options = context.options[0] ?? {};
    const root = options.root ?? context.cwd;
    const corePackages = new Set(options.corePackages ?? []);
    const nodeOnly = new Set(options.nodeOnlyPackages ?? []);
    const file = context.filename;
    const from = layerOf(path.relative(root, file));
    if (from === undefined) return {};
    // Tests beside the code run under vitest in Node: they may use packages and built-ins, but the
    // direction between our layers still holds for them.
    const isTest = /\.(test|fixture)\.[cm]?[jt]s$/.test(file);
    const allowed = MAY_IMPORT[from];

    function check(node, spec, typeOnly) {
      if (typeof spec !== 'string') return;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const target = path.resolve(path.dirname(file), spec);
        const to = layerOf(path.relative(root, target));
        // Types of the contract are fine anywhere the contract is: they vanish at build time.
        if (to === undefined || allowed.includes(to)) return;
        if (to === 'contract' && typeOnly) return;
        context.report({ node, messageId: 'layer', data: { from: `${from}/`, to: `${to}/`, spec, why: WHY[from] } });
        return;
      }
      const isBuiltin = spec.startsWith('node:') || BUILTINS.has(packageName(spec));
      if (BROWSER_LAYERS.has(from) && !isTest) {
        const pkg = packageName(spec);
        if (isBuiltin || pkg === 'electron' || nodeOnly.has(pkg)) {
          const kind = isBuiltin ? 'a Node built-in' : pkg === 'electron' ? 'Electron' : 'a Node-only package';
          context.report({ node, messageId: 'nodeInBrowser', data: { from: `${from}/`, spec, kind, why: WHY[from] } });
          return;
        }
        if (from === 'core' && !corePackages.has(pkg)) {
          context.report({ node, messageId: 'packageInCore', data: { spec, allowed: [...corePackages].join(', ') } });
        }
      }
    }

    const isTypeOnly = (node) =>
      node.importKind === 'type' ||
      node.exportKind === 'type' ||
      (node.specifiers?.length > 0 && node.specifiers.every((s) => s.importKind === 'type' || s.exportKind === 'type'));

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, isTypeOnly(node)),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, isTypeOnly(node)),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node.source, node.source.value, false),
      TSImportType: (node) => {
        const literal = node.argument?.literal ?? node.argument;
        if (literal?.type === 'Literal') check(literal, literal.value, true);
      },
    };
  },
};

export const localPlugin = { rules: { layering: layeringRule } };
