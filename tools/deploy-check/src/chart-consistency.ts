import { describe, type Manifest } from './kubernetes-schema.ts';

/** Variables that hold secrets: the chart must pass them by secretKeyRef, never as values. */
const SECRET_VARIABLES = [
  'CHAT_SECRET_KEY',
  'DATABASE_URL',
  'REDIS_URL',
  'CHAT_S3_ACCESS_KEY_ID',
  'CHAT_S3_SECRET_ACCESS_KEY',
  'CHAT_METRICS_TOKEN',
];
const ROLES = ['api', 'realtime', 'worker'];

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface Probe {
  httpGet?: { path?: string; port?: string | number };
}
interface Container {
  env?: EnvVar[];
  ports?: { name?: string; containerPort: number }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
}
interface PodSpec {
  containers: Container[];
  serviceAccountName?: string;
  securityContext?: { runAsNonRoot?: boolean };
}
type Labels = Record<string, string>;

/**
 * What the schemas cannot see: the pieces of the rendered chart fit together (each role has a
 * Deployment running that role; Services, PDBs and HPAs select or target something that
 * exists; the Ingress sends /v1/ws to the realtime Service), probes use the server's real
 * endpoints, secrets come from a Secret, and pods run as non-root.
 */
export function chartProblems(manifests: Manifest[]): string[] {
  const problems: string[] = [];
  const byKind = (kind: string) => manifests.filter((manifest) => manifest.kind === kind);
  const deployments = byKind('Deployment');
  const podLabels = new Map<string, Labels>();
  const servicePorts = new Map<string, string[]>();
  const secretKeys = new Map<string, string[]>();
  for (const secret of byKind('Secret'))
    secretKeys.set(
      String(secret.metadata?.name),
      Object.keys((secret.stringData ?? secret.data ?? {}) as object),
    );

  for (const role of ROLES) {
    const deployment = deployments.find((d) => roleOf(d) === role);
    if (!deployment) {
      problems.push(`no Deployment runs CHAT_ROLE=${role}`);
      continue;
    }
    const name = describe(deployment);
    const template = (deployment.spec as { template: { metadata: { labels: Labels }; spec: PodSpec } })
      .template;
    podLabels.set(String(deployment.metadata?.name), template.metadata.labels);
    const selector = (deployment.spec as { selector: { matchLabels: Labels } }).selector.matchLabels;
    if (!matches(selector, template.metadata.labels))
      problems.push(`${name}: its selector does not match its pods`);
    if (template.spec.securityContext?.runAsNonRoot !== true) problems.push(`${name}: pods may run as root`);
    const accounts = byKind('ServiceAccount').map((account) => account.metadata?.name);
    if (accounts.length > 0 && !accounts.includes(template.spec.serviceAccountName))
      problems.push(`${name}: runs as service account ${template.spec.serviceAccountName}, not the chart's`);
    const container = template.spec.containers[0]!;
    if (container.securityContext?.allowPrivilegeEscalation !== false)
      problems.push(`${name}: privilege escalation is allowed`);
    if (container.livenessProbe?.httpGet?.path !== '/healthz')
      problems.push(`${name}: the liveness probe is not GET /healthz`);
    if (!['/readyz', '/healthz'].includes(container.readinessProbe?.httpGet?.path ?? ''))
      problems.push(`${name}: the readiness probe is not GET /readyz (or /healthz)`);
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      const port = probe?.httpGet?.port;
      if (port !== undefined && !container.ports?.some((p) => p.name === port || p.containerPort === port))
        problems.push(`${name}: a probe uses port ${port}, which the container does not declare`);
    }
    for (const variable of container.env ?? []) {
      if (!SECRET_VARIABLES.includes(variable.name)) continue;
      const ref = variable.valueFrom?.secretKeyRef;
      if (!ref) problems.push(`${name}: ${variable.name} is not read from a Secret`);
      else if (
        secretKeys.has(ref.name) &&
        !secretKeys.get(ref.name)!.includes(ref.key) &&
        variable.name !== 'CHAT_METRICS_TOKEN'
      )
        problems.push(`${name}: Secret ${ref.name} has no key ${ref.key}`);
    }
  }

  for (const service of byKind('Service')) {
    const spec = service.spec as {
      selector: Labels;
      ports: { name?: string; targetPort?: string | number }[];
    };
    const target = [...podLabels.values()].find((labels) => matches(spec.selector, labels));
    if (!target) problems.push(`${describe(service)}: selects no pods of the chart`);
    servicePorts.set(
      String(service.metadata?.name),
      spec.ports.map((port) => String(port.name)),
    );
  }
  for (const pdb of byKind('PodDisruptionBudget')) {
    const selector = (pdb.spec as { selector: { matchLabels: Labels } }).selector.matchLabels;
    if (![...podLabels.values()].some((labels) => matches(selector, labels)))
      problems.push(`${describe(pdb)}: selects no pods of the chart`);
  }
  for (const hpa of byKind('HorizontalPodAutoscaler')) {
    const target = (hpa.spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef;
    if (target.kind !== 'Deployment' || !podLabels.has(target.name))
      problems.push(`${describe(hpa)}: scales ${target.kind} ${target.name}, which the chart does not make`);
    const replicas = deployments.find((d) => d.metadata?.name === target.name)?.spec as { replicas?: number };
    if (replicas?.replicas !== undefined)
      problems.push(
        `${describe(hpa)}: its Deployment also sets replicas (each upgrade would reset the scale)`,
      );
  }
  for (const ingress of byKind('Ingress')) {
    type Path = { path: string; backend: { service: { name: string; port: { name?: string } } } };
    const rules = (ingress.spec as { rules: { http: { paths: Path[] } }[] }).rules;
    const paths = rules.flatMap((rule) => rule.http.paths);
    for (const path of paths) {
      const ports = servicePorts.get(path.backend.service.name);
      if (!ports)
        problems.push(`${describe(ingress)}: ${path.path} goes to a Service the chart does not make`);
      else if (!ports.includes(String(path.backend.service.port.name)))
        problems.push(`${describe(ingress)}: ${path.path} goes to a port its Service does not have`);
    }
    const ws = paths.find((path) => path.path === '/v1/ws');
    if (!ws?.backend.service.name.endsWith('-realtime'))
      problems.push(`${describe(ingress)}: /v1/ws does not go to the realtime Service`);
  }
  return problems;
}

function roleOf(deployment: Manifest): string | undefined {
  const containers = (deployment.spec as { template?: { spec?: PodSpec } })?.template?.spec?.containers ?? [];
  return containers[0]?.env?.find((variable) => variable.name === 'CHAT_ROLE')?.value;
}

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([key, value]) => labels[key] === value);
}
