import { describe, expect, it } from 'vitest';
import { MAX_DICE, MAX_FACES, replyTo } from './commands';

/** A "random" source that yields the given values in turn. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('replyTo', () => {
  it('ignores ordinary text and unknown commands', () => {
    expect(replyTo('hello')).toBeNull();
    expect(replyTo('')).toBeNull();
    expect(replyTo('and/or /echo')).toBeNull();
    expect(replyTo('/giphy cats')).toBeNull();
    expect(replyTo('/ echo hi')).toBeNull();
  });

  it('echoes the text after /echo', () => {
    expect(replyTo('/echo hi')).toBe('hi');
    expect(replyTo('  /echo   hello   world  ')).toBe('hello   world');
    expect(replyTo('/ECHO Loud')).toBe('Loud');
    expect(replyTo('/echo line one\nline two')).toBe('line one\nline two');
  });

  it('explains /echo without text', () => {
    expect(replyTo('/echo')).toBe('Usage: /echo <text>');
    expect(replyTo('/echo    ')).toBe('Usage: /echo <text>');
  });

  it('does not treat /echoes as /echo', () => {
    expect(replyTo('/echoes hi')).toBeNull();
  });

  it('rolls NdM: each die and the sum', () => {
    // 0 → 1, 0.5 → 4, 0.99 → 6 on a d6.
    expect(replyTo('/roll 3d6', sequence(0, 0.5, 0.99))).toBe('🎲 3d6: 1 + 4 + 6 = 11');
    expect(replyTo('/roll 2D20', sequence(0.5, 0.5))).toBe('🎲 2d20: 11 + 11 = 22');
  });

  it('rolls 1d6 by default, and d20 as 1d20', () => {
    expect(replyTo('/roll', sequence(0.5))).toBe('🎲 1d6: 4');
    expect(replyTo('/roll d20', sequence(0.99))).toBe('🎲 1d20: 20');
  });

  it('keeps every die within 1..M', () => {
    const text = replyTo(`/roll ${MAX_DICE}d${MAX_FACES}`)!;
    const dice = text.split(': ')[1]!.split(' = ')[0]!.split(' + ').map(Number);
    expect(dice).toHaveLength(MAX_DICE);
    for (const d of dice) expect(d >= 1 && d <= MAX_FACES && Number.isInteger(d)).toBe(true);
  });

  it('answers bad input with the usage', () => {
    expect(replyTo('/roll banana')).toMatch(/^I can't roll "banana"\. Usage: \/roll \[NdM\]/);
    expect(replyTo('/roll 2d')).toMatch(/Usage/);
    expect(replyTo('/roll -1d6')).toMatch(/Usage/);
    expect(replyTo('/roll 2d6 extra')).toMatch(/Usage/);
    expect(replyTo(`/roll ${'9'.repeat(100)}`)).toMatch(/…"\. Usage/);
  });

  it('bounds the dice and the faces', () => {
    expect(replyTo(`/roll ${MAX_DICE + 1}d6`)).toMatch(`must be 1 to ${MAX_DICE}`);
    expect(replyTo('/roll 0d6')).toMatch(`must be 1 to ${MAX_DICE}`);
    expect(replyTo(`/roll 1d${MAX_FACES + 1}`)).toMatch(`2 to ${MAX_FACES} faces`);
    expect(replyTo('/roll 1d1')).toMatch(`2 to ${MAX_FACES} faces`);
    expect(replyTo('/roll 99999999999999999999d6')).toMatch(`must be 1 to ${MAX_DICE}`);
  });

  it('lists the commands on /help', () => {
    expect(replyTo('/help')).toMatch(/\/echo.*\/roll/);
  });
});
