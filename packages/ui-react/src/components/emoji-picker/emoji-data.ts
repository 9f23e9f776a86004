// Part of the on-demand emoji picker chunk. The data ships inside the app's bundle (emojibase's
// English dataset), so the picker makes no request at all: nothing to a CDN, fine under a
// `connect-src 'self'` policy, and it works offline.
import type { EmojiData } from 'frimousse';

const TONES = ['light', 'medium-light', 'medium', 'medium-dark', 'dark'] as const;
type Tone = (typeof TONES)[number];

/** The emojibase fields this file reads (see `emojibase-data/en/data.json`). */
interface SourceEmoji {
  emoji: string;
  label: string;
  group?: number;
  subgroup?: number;
  version: number;
  tags?: string[];
  skins?: { emoji: string; tone?: number | number[] }[];
}

/** A group id that holds only skin tone and hair components, not emoji to pick. */
const COMPONENT_GROUP = 2;

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/**
 * Whether this device draws `emoji` as one colour glyph: drawn twice in two colours, a colour
 * glyph gives the same pixels, a missing one (a box, or letters for an unsupported flag) takes the
 * fill colour; a sequence the font does not join is wider than one glyph. `null`: no canvas (a
 * server, jsdom, a locked-down browser), so nothing can be said.
 */
function drawsInColour(context: CanvasRenderingContext2D | null, emoji: string): boolean | null {
  if (!context) return null;
  context.clearRect(0, 0, 4, 4);
  if (context.measureText(emoji).width >= 4) return false;
  const draw = (colour: string) => {
    context.clearRect(0, 0, 4, 4);
    context.fillStyle = colour;
    context.fillText(emoji, 0, 0);
    return context.getImageData(0, 0, 2, 2).data;
  };
  const blue = draw('#00f');
  const red = draw('#f00');
  return blue.every((value, index) => value === red[index]);
}

function canvasContext(): CanvasRenderingContext2D | null {
  try {
    const canvas = document.createElement('canvas');
    canvas.width = 4;
    canvas.height = 4;
    const context = canvas.getContext('2d', { willReadFrequently: true });
    if (!context) return null;
    context.font = '2px "Apple Color Emoji", "Noto Color Emoji", "Segoe UI Emoji", sans-serif';
    context.textBaseline = 'middle';
    return context;
  } catch {
    return null;
  }
}

/**
 * The newest emoji version the device draws, tried from the newest down with one emoji of each
 * version; emoji newer than that would show as empty boxes, so they are not offered. `Infinity`
 * when it cannot be told.
 */
function supportedVersion(emojis: readonly SourceEmoji[], context: CanvasRenderingContext2D | null): number {
  const samples = new Map<number, string>();
  for (const e of emojis) if (!samples.has(e.version)) samples.set(e.version, e.emoji);
  for (const version of [...samples.keys()].sort((a, b) => b - a)) {
    const result = drawsInColour(context, samples.get(version)!);
    if (result === null) return Number.POSITIVE_INFINITY;
    if (result) return version;
  }
  return Number.POSITIVE_INFINITY;
}

/** Emojibase's dataset in the shape frimousse renders, without what this device cannot draw. */
export async function loadEmojiData(): Promise<EmojiData> {
  const [{ default: source }, { default: messages }] = await Promise.all([
    import('emojibase-data/en/data.json'),
    import('emojibase-data/en/messages.json'),
  ]);
  const emojis = source as SourceEmoji[];
  const context = canvasContext();
  const maxVersion = supportedVersion(emojis, context);
  // Windows draws no country flags (it shows the two letters): leave them out there.
  const flagSubgroups = new Set(
    messages.subgroups
      .filter((s) => s.key === 'country-flag' || s.key === 'subdivision-flag')
      .map((s) => s.order),
  );
  const flags = drawsInColour(context, '🇪🇺') !== false;
  return {
    locale: 'en',
    categories: messages.groups
      .filter((group) => group.order !== COMPONENT_GROUP)
      .map((group) => ({ index: group.order, label: capitalise(group.message) })),
    skinTones: Object.fromEntries(
      messages.skinTones.map((tone) => [tone.key, capitalise(tone.message)]),
    ) as Record<Tone, string>,
    emojis: emojis
      .filter(
        (e) =>
          e.group !== undefined &&
          e.group !== COMPONENT_GROUP &&
          e.version <= maxVersion &&
          (flags || !flagSubgroups.has(e.subgroup ?? -1)),
      )
      .map((e) => ({
        emoji: e.emoji,
        category: e.group!,
        label: capitalise(e.label),
        version: e.version,
        tags: e.tags ?? [],
        skins: skinsOf(e),
      })),
  };
}

/** One variant per single skin tone (mixed-tone pairs are left out, as frimousse does). */
function skinsOf(emoji: SourceEmoji): Record<Tone, string> | undefined {
  const single = emoji.skins?.filter((skin) => typeof skin.tone === 'number');
  if (!single || single.length !== TONES.length) return undefined;
  return Object.fromEntries(single.map((skin) => [TONES[(skin.tone as number) - 1], skin.emoji])) as Record<
    Tone,
    string
  >;
}
