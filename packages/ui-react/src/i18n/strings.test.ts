import { describe, expect, it } from 'vitest';
import { createTranslator, defaultStrings } from './strings';

describe('createTranslator', () => {
  it('uses English by default and fills placeholders', () => {
    const t = createTranslator();
    expect(t('input.placeholder')).toBe(defaultStrings['input.placeholder']);
    expect(t('typing.one', { name: 'Bob' })).toBe('Bob is typing…');
  });

  it('takes overrides key by key, the rest staying English', () => {
    const t = createTranslator({ 'input.send': 'Envoyer' });
    expect(t('input.send')).toBe('Envoyer');
    expect(t('input.save')).toBe('Save');
  });

  it('picks plural forms by the locale, including categories English lacks', () => {
    const en = createTranslator();
    expect(en.plural('message.replies', 1)).toBe('1 reply');
    expect(en.plural('message.replies', 3)).toBe('3 replies');
    const pl = createTranslator(
      {
        'message.replies.one': '{count} odpowiedź',
        'message.replies.few': '{count} odpowiedzi',
        'message.replies.many': '{count} odpowiedzi…',
        'message.replies.other': '{count} odp.',
      },
      'pl',
    );
    expect(pl.plural('message.replies', 1)).toBe('1 odpowiedź');
    expect(pl.plural('message.replies', 3)).toBe('3 odpowiedzi');
    expect(pl.plural('message.replies', 5)).toBe('5 odpowiedzi…');
  });
});
