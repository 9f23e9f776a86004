import { describe, expect, it } from 'vitest';
import { linkPreview, message } from './entities/message';
import { message as fixture } from './fixtures';
import { LIMITS } from './limits';
import { sendMessageBody } from './rest/messages';

const preview = {
  url: 'https://blog.example.org/post?id=1',
  title: 'A post — ünïcödé',
  description: 'What it says about itself',
  site_name: 'Blog',
  image_url: 'https://cdn.example.org/cover.png',
};

describe('link previews on the wire', () => {
  it('a message carries its previews, and one without the field (an old client) still parses', () => {
    const parsed = message.parse({ ...fixture, link_previews: [preview] });
    expect(parsed.link_previews).toEqual([preview]);
    const { link_previews: _, ...without } = parsed;
    expect(message.safeParse(without).success).toBe(true);
    expect(
      linkPreview.parse({ ...preview, title: null, description: null, site_name: null, image_url: null }),
    ).toMatchObject({ title: null, image_url: null });
  });

  it('refuses an image that is not an http(s) URL', () => {
    for (const image_url of [
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'file:///etc/passwd',
      '/relative.png',
    ])
      expect(linkPreview.safeParse({ ...preview, image_url }).success, image_url).toBe(false);
    expect(linkPreview.safeParse({ ...preview, url: 'ftp://example.org/' }).success).toBe(false);
  });

  it('bounds every text and refuses what a client cannot render', () => {
    expect(
      linkPreview.safeParse({ ...preview, title: 't'.repeat(LIMITS.LINK_PREVIEW_TITLE_LENGTH + 1) }).success,
    ).toBe(false);
    expect(
      linkPreview.safeParse({
        ...preview,
        description: 'd'.repeat(LIMITS.LINK_PREVIEW_DESCRIPTION_LENGTH + 1),
      }).success,
    ).toBe(false);
    expect(linkPreview.safeParse({ ...preview, site_name: 'a\u0000b' }).success).toBe(false);
    expect(linkPreview.safeParse({ ...preview, title: '\ud800' }).success).toBe(false);
    const many = Array.from({ length: LIMITS.LINK_PREVIEWS_PER_MESSAGE + 1 }, () => preview);
    expect(message.safeParse({ ...fixture, link_previews: many }).success).toBe(false);
  });

  it('a send may ask for no previews', () => {
    expect(
      sendMessageBody.parse({ client_msg_id: 'c1', text: 'https://a.example', skip_link_previews: true }),
    ).toMatchObject({ skip_link_previews: true });
    expect(
      sendMessageBody.safeParse({ client_msg_id: 'c1', text: 'x', skip_link_previews: 'yes' }).success,
    ).toBe(false);
  });
});
