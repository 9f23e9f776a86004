import { z } from 'zod';
import { timestamp } from '../primitives';

/** What a push template may name: the sender's name, the channel's name, the message text. */
export const PUSH_TEMPLATE_PLACEHOLDERS = ['sender', 'channel', 'text'] as const;

const isControl = (char: string) => {
  const code = char.codePointAt(0) ?? 0;
  return (code < 0x20 && char !== '\n' && char !== '\t') || code === 0x7f;
};

/** A template: text with `{{sender}}`, `{{channel}}` and `{{text}}`, nothing else in braces. */
const template = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .refine((text) => ![...text].some(isControl), 'No control characters (tabs and new lines are fine)')
    .superRefine((text, ctx) => {
      for (const [, name] of text.matchAll(/\{\{\s*([^}]*?)\s*\}\}/g)) {
        if (!(PUSH_TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name ?? ''))
          ctx.addIssue({
            code: 'custom',
            message: `Unknown placeholder {{${name}}}: use {{sender}}, {{channel}} or {{text}}`,
          });
      }
      const braces = text.replace(/\{\{\s*[^}]*?\s*\}\}/g, '');
      if (/\{\{|\}\}/.test(braces)) ctx.addIssue({ code: 'custom', message: 'Unclosed {{ or stray }}' });
    });

/**
 * What a push for a new message says (server token), the same for every provider. `{{channel}}`
 * is the channel's name, or the sender's for a channel without one (a direct message); `{{text}}`
 * the start of the message (or "Sent an attachment"). With `include_content: false` (privacy
 * mode) no text leaves the server: a push carries ids and the badge, and the app shows a line of
 * its own or fetches the message.
 */
export const pushSettings = z.object({
  title_template: z.string(),
  body_template: z.string(),
  include_content: z.boolean(),
  updated_at: timestamp.nullable(),
});
export type PushSettings = z.infer<typeof pushSettings>;
export const pushSettingsResponse = z.object({ settings: pushSettings });

export const setPushSettingsBody = z
  .strictObject({
    title_template: template(200).optional(),
    body_template: template(500).optional(),
    include_content: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'Give at least one field to change' });
export type SetPushSettingsBody = z.infer<typeof setPushSettingsBody>;

/** Pushes per day (UTC) of an application: sent, failed for good, and devices removed as gone. */
export const pushStatsQuery = z.strictObject({ days: z.coerce.number().int().min(1).max(90).optional() });
const pushCounts = z.object({
  sent: z.number().int().min(0),
  failed: z.number().int().min(0),
  removed: z.number().int().min(0),
});
export const pushStatsResponse = z.object({
  days: z.array(pushCounts.extend({ day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/) })),
  total: pushCounts,
});
export type PushStatsResponse = z.infer<typeof pushStatsResponse>;
