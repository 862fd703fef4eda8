// The layering rule bites: each case is an import a newcomer might write, linted as if it sat in the named
// file (ESLint's lintText with a filePath; the file need not exist), with the repo's own eslint.config.js.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { ESLint } from 'eslint';

const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function layerErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result.messages.filter((m) => m.ruleId === 'kubedeck/layers').map((m) => m.message);
}

const refused: [file: string, code: string, expect: RegExp][] = [
  ['renderer/src/lib/tabs.svelte.ts', "import { x } from '../../../main/core/kubedeck.ts';\nexport const y = x;\n", /renderer may not import core/],
  ['renderer/src/components/X.svelte', "<script lang=\"ts\">\n  import { x } from '../../../main/serve/server.ts';\n  console.log(x);\n</script>\n", /renderer may not import serve/],
  ['renderer/src/lib/a.ts', "import fs from 'node:fs';\nexport default fs;\n", /Node built-in node:fs/],
  ['renderer/src/lib/b.ts', "import { KubeConfig } from '@kubernetes/client-node';\nexport default KubeConfig;\n", /package @kubernetes\/client-node/],
  ['renderer/src/lib/c.ts', "import { ipcRenderer } from 'electron';\nexport default ipcRenderer;\n", /may not import electron/],
  ['main/core/terminals/x.ts', "import { startServer } from '../../serve/server.ts';\nexport default startServer;\n", /core may not import serve/],
  ['main/core/x.ts', "export { runCp } from '../cli/cp.ts';\n", /core may not import cli/],
  ['main/core/y.ts', "export async function f() { return import('../app/main.ts'); }\n", /core may not import app/],
  ['main/core/z.ts', "import { app } from 'electron';\nexport default app;\n", /core may not import electron/],
  ['main/core/w.ts', "import { Terminal } from '@xterm/xterm';\nexport default Terminal;\n", /package @xterm\/xterm/],
  ['main/serve/x.ts', "import '../cli/cp.ts';\n", /serve may not import cli/],
  ['main/ssh/x.ts', "import { startServer } from '../serve/server.ts';\nexport default startServer;\n", /ssh may not import serve/],
  ['main/ssh/y.ts', "export { runCp } from '../cli/cp.ts';\n", /ssh may not import cli/],
  ['main/ssh/z.ts', "import { app } from 'electron';\nexport default app;\n", /ssh may not import electron/],
  ['main/core/v.ts', "import '../ssh/gateway.ts';\n", /core may not import ssh/],
  ['renderer/src/lib/s.ts', "import { Server } from 'ssh2';\nexport default Server;\n", /package ssh2/],
  ['common/x.ts', "import { readFile } from 'node:fs/promises';\nexport default readFile;\n", /common may not import the Node built-in/],
  ['common/y.ts', "import WebSocket from 'ws';\nexport default WebSocket;\n", /common may not import the package ws/],
  ['common/z.ts', "import { api } from '../renderer/src/lib/api.ts';\nexport default api;\n", /common may not import renderer/],
  ['preload/x.ts', "import { KubedeckCore } from '../main/core/kubedeck.ts';\nexport default KubedeckCore;\n", /preload may not import core/],
  ['test/x.ts', "import '../renderer/src/lib/api.ts';\n", /test may not import renderer/],
  ['newfolder/x.ts', "import './y.ts';\n", /in no layer/],
];

for (const [file, code, expect] of refused) {
  test(`layering refuses: ${file}: ${code.split('\n').find((l) => /import|export/.test(l))?.trim()}`, async () => {
    const errors = await layerErrors(file, code);
    assert.ok(errors.some((e) => expect.test(e)), `expected ${expect} in ${JSON.stringify(errors)}`);
  });
}

const allowed: [file: string, code: string][] = [
  ['renderer/src/lib/d.svelte.ts', "import type { KubedeckApi } from '../../../common/contract/index.ts';\nexport type A = KubedeckApi;\n"],
  ['renderer/src/lib/e.ts', "import { Terminal } from '@xterm/xterm';\nexport default Terminal;\n"],
  ['main/serve/y.ts', "import { KubedeckCore } from '../core/kubedeck.ts';\nexport default KubedeckCore;\n"],
  ['main/cli/y.ts', "import { startServer } from '../serve/server.ts';\nexport default startServer;\n"],
  ['main/cli/z.ts', "import { startSshGateway } from '../ssh/gateway.ts';\nexport default startSshGateway;\n"],
  ['main/ssh/w.ts', "import { Server } from 'ssh2';\nimport { Kubedeck } from '../core/kubedeck.ts';\nexport default [Server, Kubedeck];\n"],
  ['main/app/y.ts', "import { app } from 'electron';\nimport { KubedeckCore } from '../core/kubedeck.ts';\nexport default [app, KubedeckCore];\n"],
  ['preload/y.ts', "import { contextBridge } from 'electron';\nimport { METHOD_NAMES } from '../common/contract/index.ts';\nexport default [contextBridge, METHOD_NAMES];\n"],
  ['main/core/files/x.test.ts', "import { startTestClusters } from '../../../test/cluster/index.ts';\nexport default startTestClusters;\n"],
];

for (const [file, code] of allowed) {
  test(`layering allows: ${file}`, async () => {
    assert.deepEqual(await layerErrors(file, code), []);
  });
}
