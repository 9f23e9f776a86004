import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';

/**
 * The rules that matter for the project's images, in place of hadolint (which installs from
 * neither npm nor Debian): a syntax and semantics pass by dockerfile-utils (the validator behind
 * VS Code's Dockerfile support), then what an image of this project must be.
 */
export interface DockerfileRules {
  /** Build and runtime in separate stages, so compilers and dev dependencies stay out. */
  multiStage: boolean;
  /** The Node.js major every FROM must use. */
  nodeMajor: number;
}

/** Problems found, one sentence each; empty when the Dockerfile passes. */
export function dockerfileProblems(text: string, rules: DockerfileRules): string[] {
  const problems = validate(text).map(
    (diagnostic) => `line ${diagnostic.range.start.line + 1}: ${diagnostic.message}`,
  );
  const dockerfile = DockerfileParser.parse(text);
  const froms = dockerfile.getFROMs();
  if (froms.length === 0) return [...problems, 'no FROM instruction'];

  const stages = new Set(froms.map((from) => from.getBuildStage()).filter(Boolean));
  for (const from of froms) {
    // ARG defaults are expanded (FROM ${NODE_IMAGE}), as `docker build` does with no --build-arg.
    const image = from.getExpandedArguments()[0]?.getValue() ?? '';
    if (stages.has(image)) continue; // FROM an earlier stage
    const line = from.getRange().start.line + 1;
    const [name = '', tag = ''] = image.split('@')[0]!.split(':');
    if (name !== 'node' && !name.endsWith('/node'))
      problems.push(`line ${line}: base image ${image} is not an official Node.js image`);
    else if (!new RegExp(`^${rules.nodeMajor}(\\.|-|$)`).test(tag))
      problems.push(
        `line ${line}: base image ${image} is not pinned to Node ${rules.nodeMajor} (node:${rules.nodeMajor}-…)`,
      );
  }
  if (rules.multiStage && froms.length < 2)
    problems.push('single stage: build and runtime must be separate stages');

  const finalStage = instructionsOfFinalStage(dockerfile.getInstructions());
  const users = finalStage.filter((instruction) => instruction.getKeyword() === 'USER');
  const user = users.at(-1)?.getArgumentsContent()?.split(':')[0]?.trim();
  if (user === undefined) problems.push('the final stage sets no USER: the container would run as root');
  else if (user === 'root' || user === '0') problems.push(`the final stage runs as ${user}`);

  const healthchecks = finalStage.filter((instruction) => instruction.getKeyword() === 'HEALTHCHECK');
  const healthcheck = healthchecks.at(-1)?.getArgumentsContent() ?? '';
  if (!/\bCMD\b/.test(healthcheck)) problems.push('the final stage has no HEALTHCHECK … CMD');

  for (const instruction of finalStage) {
    const keyword = instruction.getKeyword();
    if (
      (keyword === 'ENTRYPOINT' || keyword === 'CMD') &&
      !instruction.getArgumentsContent()?.startsWith('[')
    )
      problems.push(
        `line ${instruction.getRange().start.line + 1}: ${keyword} in shell form: the process would not get SIGTERM (use the JSON form)`,
      );
  }
  return problems;
}

function instructionsOfFinalStage(instructions: Instruction[]): Instruction[] {
  const lastFrom = instructions.findLastIndex((instruction) => instruction.getKeyword() === 'FROM');
  return instructions.slice(lastFrom);
}
