import { describe, expect, it } from 'vitest';
import { chartProblems } from './chart-consistency.ts';
import type { Manifest } from './kubernetes-schema.ts';

const labels = (role: string) => ({ app: 'chat', component: role });

function deployment(role: string): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `chat-${role}` },
    spec: {
      selector: { matchLabels: labels(role) },
      template: {
        metadata: { labels: labels(role) },
        spec: {
          serviceAccountName: 'chat',
          securityContext: { runAsNonRoot: true },
          containers: [
            {
              name: 'chat-server',
              ports: [{ name: 'http', containerPort: 8080 }],
              securityContext: { allowPrivilegeEscalation: false },
              env: [
                { name: 'CHAT_ROLE', value: role },
                {
                  name: 'DATABASE_URL',
                  valueFrom: { secretKeyRef: { name: 'chat-secrets', key: 'DATABASE_URL' } },
                },
              ],
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' } },
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' } },
            },
          ],
        },
      },
    },
  };
}

function chart(): Manifest[] {
  return [
    ...['api', 'realtime', 'worker'].map(deployment),
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'chat' } },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'chat-secrets' },
      stringData: { DATABASE_URL: 'x' },
    },
    ...['api', 'realtime'].map((role) => ({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: `chat-${role}` },
      spec: { selector: labels(role), ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    })),
    {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: { name: 'chat-realtime' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat-realtime' } },
    },
    {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'chat-api' },
      spec: { selector: { matchLabels: labels('api') } },
    },
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { name: 'chat' },
      spec: {
        rules: [
          {
            http: {
              paths: [
                { path: '/v1/ws', backend: { service: { name: 'chat-realtime', port: { name: 'http' } } } },
                { path: '/', backend: { service: { name: 'chat-api', port: { name: 'http' } } } },
              ],
            },
          },
        ],
      },
    },
  ];
}

// The tests reach deep into their own fixtures to break them.
type Mutable = Record<string, any>;

describe('chartProblems', () => {
  it('passes a chart whose pieces fit', () => {
    expect(chartProblems(chart())).toEqual([]);
  });

  it('names what does not fit', () => {
    const manifests = chart() as Mutable[];
    const [api, realtime, worker] = manifests as [Mutable, Mutable, Mutable];
    api.spec.replicas = 2;
    manifests.find((m) => m.kind === 'HorizontalPodAutoscaler')!.spec.scaleTargetRef.name = 'chat-api';
    const container = realtime.spec.template.spec.containers[0];
    container.livenessProbe.httpGet.path = '/readyz';
    container.env[1] = { name: 'DATABASE_URL', value: 'postgres://inline' };
    worker.spec.template.spec.securityContext.runAsNonRoot = false;
    manifests.find((m) => m.kind === 'Ingress')!.spec.rules[0].http.paths[0].backend.service.name =
      'chat-api';
    manifests.find((m) => m.kind === 'PodDisruptionBudget')!.spec.selector.matchLabels.component = 'web';
    expect(chartProblems(manifests as Manifest[])).toEqual([
      'Deployment chat-realtime: the liveness probe is not GET /healthz',
      'Deployment chat-realtime: DATABASE_URL is not read from a Secret',
      'Deployment chat-worker: pods may run as root',
      'PodDisruptionBudget chat-api: selects no pods of the chart',
      'HorizontalPodAutoscaler chat-realtime: its Deployment also sets replicas (each upgrade would reset the scale)',
      'Ingress chat: /v1/ws does not go to the realtime Service',
    ]);
  });

  it('needs a Deployment for every role', () => {
    const withoutWorker = chart().filter((m) => m.metadata?.name !== 'chat-worker');
    expect(chartProblems(withoutWorker)).toEqual(['no Deployment runs CHAT_ROLE=worker']);
  });
});
