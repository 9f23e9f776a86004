#!/usr/bin/env node
// `npm run deploy-check`: everything in deploy/ that can be checked without a container engine
// or a cluster (neither runs on this project's machines). Each check prints ✓ or ✗ with what is
// wrong; the last line counts them, and the exit code is 1 when one failed. Tools from Debian
// (yamllint, docker-compose, haproxy) and npm (helm inside AWS's layer package, kubernetes-models,
// dockerfile-utils); a missing tool fails its check with the package to install.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { chartProblems } from './chart-consistency.ts';
import { balancerProblems, type ComposeFile, composeProblems } from './compose-topology.ts';
import { dockerfileProblems } from './dockerfile-rules.ts';
import { haproxyBehaviourProblems } from './haproxy-behaviour.ts';
import { readHaproxyConfig, unexpectedWarnings } from './haproxy-config.ts';
import { HELM_VERSION, helmBinary } from './helm.ts';
import { type Manifest, schemaProblems } from './kubernetes-schema.ts';
import { strictFieldProblems } from './kubernetes-strict.ts';
import { runCommand } from './run-command.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const deploy = join(root, 'deploy');
const chart = join(deploy, 'helm/chat-server');
const chartCiValues = readdirSync(join(chart, 'ci'))
  .filter((file) => file.endsWith('-values.yaml'))
  .map((file) => join(chart, 'ci', file));
const scratch = mkdtempSync(join(tmpdir(), 'deploy-check-'));

interface Check {
  name: string;
  run(): string[] | Promise<string[]>;
}

let helm: string | undefined;
function helmPath(): string {
  helm ??= helmBinary(join(root, 'node_modules/.cache/chat-deploy-check'));
  return helm;
}

/** The generated env file compose is checked with: the secrets deploy/.env.example asks for. */
const secrets = {
  POSTGRES_PASSWORD: randomBytes(12).toString('hex'),
  REDIS_PASSWORD: randomBytes(12).toString('hex'),
  CHAT_SECRET_KEY: randomBytes(32).toString('hex'),
  CHAT_METRICS_TOKEN: randomBytes(16).toString('hex'),
};
const envFile = join(scratch, 'compose.env');
writeFileSync(
  envFile,
  Object.entries(secrets)
    .map(([key, value]) => `${key}=${value}\n`)
    .join(''),
);
const emptyEnvFile = join(scratch, 'empty.env');
writeFileSync(emptyEnvFile, '');

function composeConfig(env: string) {
  // Only PATH and HOME: variables of this shell must not stand in for the env file's.
  return runCommand('docker-compose', ['--env-file', env, '-f', join(deploy, 'compose.yaml'), 'config'], {
    env: { PATH: process.env.PATH, HOME: process.env.HOME },
  });
}

function renderChart(valuesFile: string): Manifest[] {
  const result = runCommand(helmPath(), ['template', 'chat', chart, '-f', valuesFile]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout)
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
}

const checks: Check[] = [
  {
    name: 'deploy/Dockerfile: dockerfile-utils, multi-stage, node:24 base, non-root USER, HEALTHCHECK',
    run: () =>
      dockerfileProblems(readFileSync(join(deploy, 'Dockerfile'), 'utf8'), {
        multiStage: true,
        nodeMajor: 24,
      }),
  },
  {
    name: 'deploy/s3rver/Dockerfile: dockerfile-utils, node:24 base, non-root USER, HEALTHCHECK',
    run: () =>
      dockerfileProblems(readFileSync(join(deploy, 's3rver/Dockerfile'), 'utf8'), {
        multiStage: false,
        nodeMajor: 24,
      }),
  },
  {
    name: '.dockerignore keeps installs, builds, git and env files out of the build context',
    run: () => {
      const lines = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
      return ['**/node_modules', '**/dist', '.git', '**/.env']
        .filter((pattern) => !lines.includes(pattern))
        .map((pattern) => `.dockerignore lacks ${pattern}`);
    },
  },
  {
    name: 'yamllint (strict) on the compose file, the chart, its values and CI values',
    run: () => {
      const files = [
        join(deploy, 'compose.yaml'),
        join(deploy, '.yamllint'),
        join(chart, 'Chart.yaml'),
        join(chart, 'values.yaml'),
        ...chartCiValues,
      ];
      const result = runCommand('yamllint', ['--strict', '-c', join(deploy, '.yamllint'), ...files]);
      return result.status === 0 ? [] : [result.stdout.trim() || result.stderr.trim()];
    },
  },
  {
    name: 'docker-compose config (1.29, no daemon) with the env file: the topology, waits and secrets',
    run: () => {
      const result = composeConfig(envFile);
      if (result.status !== 0) return [result.stderr.trim()];
      return composeProblems(parseYaml(result.stdout) as ComposeFile, secrets);
    },
  },
  {
    name: 'docker-compose config refuses to start without the secrets, naming the missing one',
    run: () => {
      const result = composeConfig(emptyEnvFile);
      if (result.status === 0) return ['compose accepted an env file without secrets'];
      return /set \w+ in deploy\/\.env/.test(result.stderr) ? [] : [`unexpected refusal: ${result.stderr}`];
    },
  },
  {
    name: 'haproxy -c (2.6) on deploy/haproxy.cfg, and its servers against the compose services',
    run: () => {
      const path = join(deploy, 'haproxy.cfg');
      const result = runCommand('haproxy', ['-c', '-f', path]);
      const output = `${result.stdout}\n${result.stderr}`;
      if (result.status !== 0) return [output.trim()];
      const compose = composeConfig(envFile);
      if (compose.status !== 0) return [compose.stderr.trim()];
      return [
        ...unexpectedWarnings(output),
        ...balancerProblems(
          readHaproxyConfig(readFileSync(path, 'utf8')),
          parseYaml(compose.stdout) as ComposeFile,
        ),
      ];
    },
  },
  {
    name: 'haproxy.cfg running in front of stand-in nodes: routes, private /metrics, X-Forwarded-For, /readyz',
    run: () => haproxyBehaviourProblems(readFileSync(join(deploy, 'haproxy.cfg'), 'utf8'), scratch),
  },
  ...chartCiValues.map(
    (values): Check => ({
      name: `helm ${HELM_VERSION} lint --strict -f ${relative(chart, values)}`,
      run: () => {
        const result = runCommand(helmPath(), ['lint', '--strict', chart, '-f', values]);
        return result.status === 0 ? [] : [`${result.stdout}${result.stderr}`.trim()];
      },
    }),
  ),
  ...chartCiValues.map(
    (values): Check => ({
      name: `helm template -f ${relative(chart, values)}: Kubernetes schemas, unknown fields, the pieces fit`,
      run: async () => {
        const manifests = renderChart(values);
        return [
          ...(await schemaProblems(manifests)),
          ...strictFieldProblems(manifests),
          ...chartProblems(manifests),
        ];
      },
    }),
  ),
  {
    name: 'helm template refuses to render without the secrets, naming the missing one',
    run: () => {
      const result = runCommand(helmPath(), [
        'template',
        'chat',
        chart,
        '--set',
        'config.s3.bucket=chat-media',
      ]);
      if (result.status === 0) return ['the chart rendered without secrets'];
      return /secrets\.values\.CHAT_SECRET_KEY is required/.test(result.stderr)
        ? []
        : [`unexpected refusal: ${result.stderr}`];
    },
  },
  {
    name: 'helm template refuses a misspelt value (values.schema.json)',
    run: () => {
      const values = chartCiValues.find((file) => file.endsWith('default-values.yaml'))!;
      const result = runCommand(helmPath(), [
        'template',
        'chat',
        chart,
        '-f',
        values,
        '--set',
        'roles.api.replica=3',
      ]);
      if (result.status === 0) return ['the chart rendered with roles.api.replica'];
      return /additional properties 'replica' not allowed/.test(result.stderr)
        ? []
        : [`unexpected refusal: ${result.stderr}`];
    },
  },
];

let passed = 0;
let failed = 0;
try {
  for (const check of checks) {
    let problems: string[];
    try {
      problems = await check.run();
    } catch (error) {
      problems = [(error as Error).message];
    }
    if (problems.length === 0) {
      passed++;
      console.log(`✓ ${check.name}`);
    } else {
      failed++;
      console.log(`✗ ${check.name}`);
      for (const problem of problems) console.log(`    ${problem.replaceAll('\n', '\n    ')}`);
    }
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
console.log(`\ndeploy-check: ${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 ? 0 : 1;
