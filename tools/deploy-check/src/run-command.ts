import { spawnSync } from 'node:child_process';

export interface CommandResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Debian packages that bring each outside tool (what `.ci/run` installs). */
const DEBIAN_PACKAGES: Record<string, string> = {
  yamllint: 'yamllint',
  'docker-compose': 'docker-compose',
  haproxy: 'haproxy',
  unzip: 'unzip',
  tar: 'tar',
};

/**
 * Runs a command to its end and returns what it printed. A tool that is not installed is an
 * error naming the package to install, never a skipped check.
 */
export function runCommand(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): CommandResult {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if ((result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') {
    const name = command.split('/').at(-1)!;
    const debian = DEBIAN_PACKAGES[name];
    throw new Error(
      `${name} is not installed${debian ? `: apt-get install -y --no-install-recommends ${debian}` : ''}`,
    );
  }
  if (result.error) throw result.error;
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}
