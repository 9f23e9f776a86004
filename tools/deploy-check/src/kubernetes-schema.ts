/**
 * Rendered manifests checked against the Kubernetes API's JSON schemas, as compiled by the
 * kubernetes-models package (one validator per kind, generated from the API's OpenAPI
 * document): wrong types, missing required fields, bad enum values. Unknown fields are the
 * strict check's (kubernetes-strict.ts): these schemas allow them, as the API's own do.
 */
export interface Manifest {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown };
  [field: string]: unknown;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: Manifest) => Model;

/**
 * `apps/v1` + `Deployment` → the kubernetes-models module that holds its class (the core group,
 * plain `v1`, sits at the package's top: `kubernetes-models/v1/Service`); null for what cannot
 * be an API version or a kind.
 */
export function modelModule(apiVersion: string, kind: string): string | null {
  if (!/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
    return null;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

/** A manifest's name for messages: `Deployment t-chat-server-api`. */
export function describe(manifest: Manifest): string {
  return `${String(manifest.kind)} ${String(manifest.metadata?.name ?? '(no name)')}`;
}

/** Problems found in the manifests, one sentence each; empty when every one is valid. */
export async function schemaProblems(manifests: Manifest[]): Promise<string[]> {
  const problems: string[] = [];
  for (const manifest of manifests) {
    if (typeof manifest.apiVersion !== 'string' || typeof manifest.kind !== 'string') {
      problems.push(`${describe(manifest)}: apiVersion and kind must be strings`);
      continue;
    }
    const path = modelModule(manifest.apiVersion, manifest.kind);
    let Class: ModelClass;
    try {
      if (path === null) throw new Error('not an API version and kind');
      const module = (await import(path)) as Record<string, unknown>;
      Class = module[manifest.kind] as ModelClass;
      if (typeof Class !== 'function') throw new Error('no class');
    } catch {
      problems.push(
        `${describe(manifest)}: ${manifest.apiVersion} ${manifest.kind} is not a Kubernetes kind known to kubernetes-models`,
      );
      continue;
    }
    try {
      new Class(manifest).validate();
    } catch (error) {
      problems.push(`${describe(manifest)}: ${(error as Error).message}`);
    }
  }
  return problems;
}
