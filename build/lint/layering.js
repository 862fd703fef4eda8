// The layering rule: one place that knows every layer of Kubedeck and what each may import, for every
// file kind (.ts, .svelte, .svelte.ts), in the spirit of VS Code's `code-layering`.
//
//   common   ← core ← serve ← cli          (main/core, main/serve, main/cli: Node)
//   common   ← core ← ssh   ← cli          (main/ssh: the SSH gateway, a binding of core like serve)
//   common   ← core ← app                   (main/app: Electron's main process)
//   common   ← preload                      (sandboxed preload: electron only)
//   common   ← renderer                     (a page: no Node, no Electron, no main/)
//   test may use everything but app, preload and renderer internals; build/ and bin/ are tooling.
//   A *.test.ts beside the code has its folder's rules plus test/ (the test cluster, helpers) and Node.
//
// A layer is the folder a file sits in; a relative import is resolved and judged by the folder it
// lands in. Bare imports are judged by kind: `electron`, a Node built-in, or an npm package.
// A new top-level folder must get its place in LAYERS the day it is made (files outside every
// layer are reported, so the rule cannot be skipped by creating a folder).
import path from 'node:path';
import { builtinModules } from 'node:module';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

/** Folder prefix → layer, most specific first. */
const LAYERS = [
  ['common/', 'common'],
  ['main/core/', 'core'],
  ['main/serve/', 'serve'],
  ['main/ssh/', 'ssh'],
  ['main/cli/', 'cli'],
  ['main/app/', 'app'],
  ['preload/', 'preload'],
  ['renderer/vite.config.ts', 'tooling'],
  ['renderer/svelte.config.js', 'tooling'],
  ['renderer/', 'renderer'],
  ['test/', 'test'],
  ['build/', 'tooling'],
  ['bin/', 'tooling'],
  ['eslint.config.js', 'tooling'],
];

/** What each layer may import: other layers, electron, Node built-ins, npm packages (true, or a deny-list). */
const RULES = {
  common: { layers: ['common'], electron: false, node: false, packages: false },
  core: { layers: ['common', 'core'], electron: false, node: true, packages: { deny: DOM_PACKAGES() } },
  serve: { layers: ['common', 'core', 'serve'], electron: false, node: true, packages: { deny: DOM_PACKAGES() } },
  ssh: { layers: ['common', 'core', 'ssh'], electron: false, node: true, packages: { deny: DOM_PACKAGES() } },
  cli: { layers: ['common', 'core', 'serve', 'ssh', 'cli'], electron: false, node: true, packages: { deny: DOM_PACKAGES() } },
  app: { layers: ['common', 'core', 'app'], electron: true, node: true, packages: { deny: DOM_PACKAGES() } },
  // A sandboxed preload can require only electron (and a few polyfills we do not use).
  preload: { layers: ['common', 'preload'], electron: true, node: false, packages: false },
  renderer: { layers: ['common', 'renderer'], electron: false, node: false, packages: { deny: NODE_PACKAGES() } },
  test: { layers: ['common', 'core', 'serve', 'ssh', 'cli', 'test'], electron: false, node: true, packages: true },
  tooling: { layers: null, electron: true, node: true, packages: true },
};

/** Packages that need a DOM: never in the Node side. */
function DOM_PACKAGES() {
  return ['@xterm/xterm', /^@xterm\/addon-(?!serialize)/, 'svelte', /^svelte\//];
}

/** Packages that need Node or hold credentials: never in a page. */
function NODE_PACKAGES() {
  return ['@kubernetes/client-node', 'ws', 'tar-stream', 'bufferutil', '@xterm/headless', 'ssh2', 'jose'];
}

const WHY = {
  common: 'common/ runs in every process: only the language and common/ itself',
  core: 'main/core is plain Node: common/ and core only, never serve, cli, the Electron shell or the renderer',
  serve: 'main/serve binds core to a WebSocket: common/, core and serve only',
  ssh: 'main/ssh binds core to SSH: common/, core and ssh only (not serve: the two bindings are siblings)',
  cli: 'main/cli may use common/, core, serve and ssh',
  app: 'main/app is the Electron shell over core: common/, core and app only',
  preload: 'the preload is the contextBridge only: common/ and electron',
  renderer: 'the renderer talks to the main side only through the contract in common/',
  test: 'tests reach the product through common/, core, serve, ssh and cli',
  tooling: '',
};

export function layerOf(file) {
  const rel = path.relative(root, path.resolve(root, file)).split(path.sep).join('/');
  if (rel.startsWith('..')) return undefined;
  for (const [prefix, layer] of LAYERS) if (rel === prefix || rel.startsWith(prefix)) return layer;
  return undefined;
}

const builtins = new Set(builtinModules);
function isBuiltin(spec) {
  return spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0]);
}

function matches(list, spec) {
  return list.some((p) => (typeof p === 'string' ? spec === p || spec.startsWith(p + '/') : p.test(spec)));
}

/** Why `spec` may not be imported from a file of `layer` (relative specs resolved from `file`), or undefined. */
export function violation(file, layer, spec) {
  // A unit test beside the code may also use the test cluster and helpers in test/ (and Node, to run).
  const isTest = /\.test\.ts$/.test(file) && layer !== 'tooling';
  const base = RULES[layer];
  const rule = isTest ? { ...base, node: true, layers: [...base.layers, 'test'] } : base;
  if (spec.startsWith('.') || spec.startsWith('/')) {
    if (!rule.layers) return undefined;
    const target = layerOf(path.resolve(path.dirname(path.resolve(root, file)), spec));
    if (target === undefined) return `${spec} is outside every layer`;
    return rule.layers.includes(target) ? undefined : `${layer} may not import ${target} (${spec})`;
  }
  if (spec === 'electron' || spec.startsWith('electron/')) return rule.electron ? undefined : `${layer} may not import electron`;
  if (isBuiltin(spec)) return rule.node ? undefined : `${layer} may not import the Node built-in ${spec}`;
  if (spec.startsWith('virtual:') || spec.startsWith('$app/')) return undefined;
  if (rule.packages === true) return undefined;
  if (rule.packages === false) return `${layer} may not import the package ${spec}`;
  return matches(rule.packages.deny, spec) ? `${layer} may not import the package ${spec}` : undefined;
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'Each layer imports only the layers below it (build/lint/layering.js).' },
    schema: [],
  },
  create(context) {
    const file = context.filename;
    const layer = layerOf(file);
    const check = (node, source) => {
      if (!source || typeof source.value !== 'string') return;
      if (layer === undefined) {
        context.report({ node, message: `${path.relative(root, file)} is in no layer: give its folder a place in build/lint/layering.js` });
        return;
      }
      const why = violation(file, layer, source.value);
      if (why) context.report({ node, message: `${why}. ${WHY[layer]}.` });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source : undefined),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require' && node.arguments[0]?.type === 'Literal') {
          check(node, node.arguments[0]);
        }
      },
    };
  },
};

export default { rules: { layers: rule } };
