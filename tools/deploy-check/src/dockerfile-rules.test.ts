import { describe, expect, it } from 'vitest';
import { dockerfileProblems } from './dockerfile-rules.ts';

const rules = { multiStage: true, nodeMajor: 24 };
const good = `ARG NODE_IMAGE=node:24-bookworm-slim
FROM \${NODE_IMAGE} AS build
RUN npm ci
FROM \${NODE_IMAGE}
COPY --from=build /app /app
USER node
HEALTHCHECK CMD ["node", "-e", "0"]
ENTRYPOINT ["node", "server.js"]
`;

describe('dockerfileProblems', () => {
  it('passes a multi-stage Node 24 image that runs as node with a health check', () => {
    expect(dockerfileProblems(good, rules)).toEqual([]);
  });

  it('names each rule a Dockerfile breaks', () => {
    const bad = 'FROM node:latest\nRUN npm ci\nCMD node server.js\n';
    expect(dockerfileProblems(bad, rules)).toEqual([
      'line 1: base image node:latest is not pinned to Node 24 (node:24-…)',
      'single stage: build and runtime must be separate stages',
      'the final stage sets no USER: the container would run as root',
      'the final stage has no HEALTHCHECK … CMD',
      'line 3: CMD in shell form: the process would not get SIGTERM (use the JSON form)',
    ]);
  });

  it('resolves the base image from ARG defaults, and refuses another major or another image', () => {
    expect(dockerfileProblems(good.replace('node:24-bookworm-slim', 'node:22-bookworm-slim'), rules)).toEqual(
      [
        'line 2: base image node:22-bookworm-slim is not pinned to Node 24 (node:24-…)',
        'line 4: base image node:22-bookworm-slim is not pinned to Node 24 (node:24-…)',
      ],
    );
    expect(dockerfileProblems(good.replace('node:24-bookworm-slim', 'debian:bookworm'), rules)).toContain(
      'line 2: base image debian:bookworm is not an official Node.js image',
    );
  });

  it('reads the last USER of the final stage only, and HEALTHCHECK NONE is no health check', () => {
    const rootAgain = good.replace('USER node\n', 'USER node\nUSER 0:0\n');
    expect(dockerfileProblems(rootAgain, rules)).toEqual(['the final stage runs as 0']);
    const userOnlyInBuild = good
      .replace('RUN npm ci', 'USER node\nRUN npm ci')
      .replace('USER node\nHEALTHCHECK', 'HEALTHCHECK');
    expect(dockerfileProblems(userOnlyInBuild, rules)).toEqual([
      'the final stage sets no USER: the container would run as root',
    ]);
    expect(dockerfileProblems(good.replace(/HEALTHCHECK .*/, 'HEALTHCHECK NONE'), rules)).toEqual([
      'the final stage has no HEALTHCHECK … CMD',
    ]);
  });

  it("reports dockerfile-utils' own findings with their line", () => {
    expect(dockerfileProblems(`${good}EXPOSE http\n`, rules)).toEqual([
      'line 9: Invalid containerPort: http',
    ]);
  });
});
