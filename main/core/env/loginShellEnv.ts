/**
 * The user's login-shell environment, taken at GUI launch. An app started from a desktop launcher or the
 * macOS Dock gets launchd's or the session's environment, not the one the user's shell builds: PATH lacks
 * ~/.local/bin, /opt/homebrew/bin, the gcloud SDK…, so exec credential plugins (gke-gcloud-auth-plugin,
 * aws, kubelogin) are "not found" — the breakage most reported in the Lens and Headlamp trackers. Like
 * VS Code (`getUnixShellEnvironment`) and the `shell-env` package those apps adopted, this runs the user's
 * shell as an interactive login shell, has it print its environment as JSON through our own executable
 * (Electron as Node via ELECTRON_RUN_AS_NODE, or Node), and takes PATH and the variables credential
 * plugins read. Plain Node, dependencies passed in, so it is tested without Electron.
 */
import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { basename, delimiter } from 'node:path';

/** A slow rc file must not hold the window back for long; VS Code waits up to 10 s, `shell-env` 5 s. */
export const LOGIN_SHELL_TIMEOUT_MS = 5_000;

/** Set while our probe runs, so an rc file (or a second Kubedeck it starts) can tell, and we never recurse. */
export const PROBE_MARK_VAR = 'KUBEDECK_RESOLVING_ENVIRONMENT';

export type SpawnFn = (command: string, args: readonly string[], opts: SpawnOptions) => ChildProcess;

export interface LoginShellDeps {
  /** The user's shell: $SHELL, else the passwd entry's (os.userInfo().shell). */
  shell: string | undefined;
  /** An executable that runs a Node script: process.execPath (Electron with ELECTRON_RUN_AS_NODE, or node). */
  execPath: string;
  platform: NodeJS.Platform;
  /** The environment to start the shell with (process.env). */
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  spawn?: SpawnFn;
}

export type LoginShellResult = { env: Record<string, string> } | { error: string };

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs the login shell once and returns its environment, or why it could not be had. Never throws. */
export function readLoginShellEnv(deps: LoginShellDeps): Promise<LoginShellResult> {
  const { shell, platform } = deps;
  if (platform === 'win32') return Promise.resolve({ error: 'not needed on Windows (apps get the user environment)' });
  if (!shell) return Promise.resolve({ error: 'no login shell known ($SHELL is not set)' });
  if (deps.env[PROBE_MARK_VAR]) return Promise.resolve({ error: 'already inside a login-shell probe' });
  const mark = randomBytes(8).toString('hex');
  // The markers fence the JSON off from whatever the rc files print (a motd, a fortune, a prompt).
  const script = `process.stdout.write("${mark}" + JSON.stringify(process.env) + "${mark}")`;
  const command = `${quote(deps.execPath)} -e ${quote(script)}`;
  // -i as well as -l: many people set PATH in .bashrc / .zshrc, which only interactive shells read.
  // csh and tcsh take no -l with other flags.
  const name = basename(shell);
  const args = name === 'csh' || name === 'tcsh' ? ['-ic', command] : ['-i', '-l', '-c', command];
  const timeoutMs = deps.timeoutMs ?? LOGIN_SHELL_TIMEOUT_MS;
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = (deps.spawn ?? (nodeSpawn as SpawnFn))(shell, args, {
        // A session of its own (no controlling terminal: an interactive shell cannot stop on it or read
        // from it), no stdin, and a process group we can kill whole on timeout.
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...deps.env, [PROBE_MARK_VAR]: '1', ELECTRON_RUN_AS_NODE: '1', ELECTRON_NO_ATTACH_CONSOLE: '1', DISABLE_AUTO_UPDATE: 'true' },
      });
    } catch (err) {
      resolve({ error: `${shell} could not be started: ${(err as Error).message}` });
      return;
    }
    let out = '';
    let err = '';
    let done = false;
    const finish = (r: LoginShellResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      finish({ error: `${shell} -il gave no environment within ${timeoutMs / 1000} s` });
    }, timeoutMs);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      if (err.length < 4096) err += d.toString();
    });
    child.on('error', (e) => finish({ error: `${shell} could not be started: ${e.message}` }));
    child.on('close', (code) => {
      const parts = out.split(mark);
      if (parts.length < 3) {
        finish({ error: `${shell} -il printed no environment (exit ${code})${err.trim() ? `: ${err.trim().split('\n').slice(-2).join(' / ')}` : ''}` });
        return;
      }
      try {
        const parsed = JSON.parse(parts[1]) as Record<string, string>;
        for (const k of [PROBE_MARK_VAR, 'ELECTRON_RUN_AS_NODE', 'ELECTRON_NO_ATTACH_CONSOLE', 'DISABLE_AUTO_UPDATE']) {
          if (deps.env[k] === undefined) delete parsed[k];
          else parsed[k] = deps.env[k] as string;
        }
        finish({ env: parsed });
      } catch (e) {
        finish({ error: `${shell} -il printed an environment that does not parse: ${(e as Error).message}` });
      }
    });
  });
}

/**
 * The variables credential plugins and the clients around them read, besides PATH: the cloud CLIs'
 * profiles and config folders (AWS, gcloud, Azure and kubelogin, OCI, DigitalOcean, Teleport, Vault,
 * 1Password), which kubeconfig files (KUBECONFIG), and proxies and CA bundles for the plugins' own calls.
 */
const PLUGIN_VARS = [/^AWS_/, /^AZURE_/, /^AAD_/, /^ARM_/, /^CLOUDSDK_/, /^GOOGLE_/, /^GCLOUD_/, /^USE_GKE_GCLOUD_AUTH_PLUGIN$/,
  /^KUBECONFIG$/, /^KUBELOGIN_/, /^OCI_/, /^DIGITALOCEAN_/, /^TELEPORT_/, /^VAULT_/, /^OP_/,
  /^(HTTPS?|NO|ALL)_PROXY$/i, /^SSL_CERT_(FILE|DIR)$/, /^REQUESTS_CA_BUNDLE$/, /^CURL_CA_BUNDLE$/];

export function isPluginVariable(name: string): boolean {
  return PLUGIN_VARS.some((re) => re.test(name));
}

/**
 * What to change in `current` given the login shell's environment: PATH becomes the login shell's with
 * every folder of the current PATH it lacks appended (nothing that was found before is lost); a plugin
 * variable is taken only where the current environment has none (a value the app was started with was
 * set on purpose). Pure: returns the changes.
 */
export function loginEnvChanges(current: NodeJS.ProcessEnv, login: Record<string, string>): Record<string, string> {
  const changes: Record<string, string> = {};
  if (login.PATH) {
    const dirs = login.PATH.split(delimiter).filter(Boolean);
    for (const d of (current.PATH ?? '').split(delimiter)) if (d && !dirs.includes(d)) dirs.push(d);
    const path = dirs.join(delimiter);
    if (path !== current.PATH) changes.PATH = path;
  }
  for (const [k, v] of Object.entries(login)) {
    if (k !== 'PATH' && isPluginVariable(k) && current[k] === undefined && typeof v === 'string') changes[k] = v;
  }
  return changes;
}

export interface AdoptResult {
  /** Names of the variables changed. */
  changed: string[];
  /** Why the login shell's environment could not be had (nothing changed then). */
  error?: string;
}

/**
 * Reads the login shell's environment and applies the changes to `target` (process.env at app start).
 * The shell starts with `deps.env`, by default `target` itself.
 */
export async function adoptLoginShellEnv(target: NodeJS.ProcessEnv, deps: Omit<LoginShellDeps, 'env'> & { env?: NodeJS.ProcessEnv }): Promise<AdoptResult> {
  const r = await readLoginShellEnv({ ...deps, env: deps.env ?? target });
  if ('error' in r) return { changed: [], error: r.error };
  const changes = loginEnvChanges(target, r.env);
  Object.assign(target, changes);
  return { changed: Object.keys(changes) };
}
