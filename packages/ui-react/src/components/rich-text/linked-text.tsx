import type { ReactNode } from 'react';
import { linkify } from '../../text/linkify';
import { ExternalLink } from './external-link';
import { withMentions } from './mentions';

/**
 * Plain text as React nodes: http(s) and `www.` URLs become links, `@mentions` are highlighted,
 * everything else (markup included) stays the characters typed. `inLink`: the text is already
 * inside a link, so URLs in it stay text (a link cannot hold a link).
 */
export function linkedText(
  text: string,
  mentions: readonly string[],
  key: string,
  inLink = false,
): ReactNode[] {
  if (inLink) return withMentions(text, mentions, key);
  return linkify(text).flatMap((segment, index) =>
    segment.kind === 'link' ? (
      // biome-ignore lint/suspicious/noArrayIndexKey: segments of one immutable string
      <ExternalLink key={`${key}.${index}`} href={segment.href}>
        {segment.text}
      </ExternalLink>
    ) : (
      withMentions(segment.text, mentions, `${key}.${index}`)
    ),
  );
}
