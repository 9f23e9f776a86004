import { describe, expect, it } from 'vitest';
import { type Manifest, modelModule, schemaProblems } from './kubernetes-schema.ts';
import { strictFieldProblems } from './kubernetes-strict.ts';

function deployment(container: Record<string, unknown> = {}): Manifest {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'web:1', ...container }] },
      },
    },
  };
}

describe('schemaProblems (the API schemas, through kubernetes-models)', () => {
  it('accepts a valid manifest of the core and of a named group', async () => {
    const service = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 's' },
      spec: { ports: [{ port: 80 }] },
    };
    expect(await schemaProblems([deployment(), service])).toEqual([]);
  });

  it('refuses wrong types, missing required fields and unknown kinds', async () => {
    expect(await schemaProblems([deployment({ ports: [{ containerPort: 'http' }] })])).toEqual([
      'Deployment web: data/spec/template/spec/containers/0/ports/0/containerPort must be integer',
    ]);
    const noName = deployment();
    delete (noName.spec as { template: { spec: { containers: { name?: string }[] } } }).template.spec
      .containers[0]!.name;
    expect(await schemaProblems([noName])).toEqual([
      'Deployment web: data/spec/template/spec/containers/0 must have required property name',
    ]);
    expect(
      await schemaProblems([{ apiVersion: 'apps/v1', kind: 'Deploymnt', metadata: { name: 'x' } }]),
    ).toEqual(['Deploymnt x: apps/v1 Deploymnt is not a Kubernetes kind known to kubernetes-models']);
  });

  it('maps API versions to modules and refuses what cannot be one', () => {
    expect(modelModule('v1', 'Service')).toBe('kubernetes-models/v1/Service');
    expect(modelModule('networking.k8s.io/v1', 'Ingress')).toBe(
      'kubernetes-models/networking.k8s.io/v1/Ingress',
    );
    expect(modelModule('../../etc', 'Passwd')).toBeNull();
  });
});

describe('strictFieldProblems (unknown fields, which the schemas allow)', () => {
  it('accepts known fields, and names an unknown one however deep', () => {
    expect(
      strictFieldProblems([deployment({ livenessProbe: { httpGet: { path: '/healthz', port: 8080 } } })]),
    ).toEqual([]);
    const [problem, ...rest] = strictFieldProblems([deployment({ livenesProbe: {} })]);
    expect(rest).toEqual([]);
    expect(problem).toMatch(/^Deployment web: .*'"livenesProbe"' does not exist in type 'IContainer'/);
  });
});
