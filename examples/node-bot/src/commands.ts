/** The most dice one `/roll` may throw, and the most faces a die may have. */
export const MAX_DICE = 20;
export const MAX_FACES = 1000;

const ROLL_USAGE = `Usage: /roll [NdM], e.g. /roll 2d6 (N ≤ ${MAX_DICE} dice, M ≤ ${MAX_FACES} faces; default 1d6)`;
const HELP = 'Commands: /echo <text> (repeats the text), /roll [NdM] (throws N dice with M faces, e.g. 2d6)';

/** A random number in [0, 1), as `Math.random` gives; tests pass their own. */
export type Random = () => number;

/**
 * The bot's answer to a message text, or null when the text is not addressed to it. Pure: the
 * randomness comes in as an argument.
 */
export function replyTo(text: string, random: Random = Math.random): string | null {
  const match = /^\/([a-z]+)(?:\s+([\s\S]*))?$/i.exec(text.trim());
  if (!match) return null;
  const command = match[1]!.toLowerCase();
  const args = (match[2] ?? '').trim();
  switch (command) {
    case 'echo':
      return args === '' ? 'Usage: /echo <text>' : args;
    case 'roll':
      return roll(args, random);
    case 'help':
      return HELP;
    default:
      return null; // another bot's command, or a slash in ordinary talk
  }
}

function roll(args: string, random: Random): string {
  const spec = args === '' ? '1d6' : args;
  const match = /^(\d*)d(\d+)$/i.exec(spec);
  if (!match) return `I can't roll "${truncate(spec)}". ${ROLL_USAGE}`;
  const dice = match[1] === '' ? 1 : Number(match[1]);
  const faces = Number(match[2]);
  if (dice < 1 || dice > MAX_DICE) return `The number of dice must be 1 to ${MAX_DICE}. ${ROLL_USAGE}`;
  if (faces < 2 || faces > MAX_FACES) return `A die needs 2 to ${MAX_FACES} faces. ${ROLL_USAGE}`;
  const rolls = Array.from({ length: dice }, () => 1 + Math.floor(random() * faces));
  const sum = rolls.reduce((a, b) => a + b, 0);
  const label = `${dice}d${faces}`;
  return dice === 1 ? `🎲 ${label}: ${sum}` : `🎲 ${label}: ${rolls.join(' + ')} = ${sum}`;
}

function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
