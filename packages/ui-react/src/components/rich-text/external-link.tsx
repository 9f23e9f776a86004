import type { ReactNode } from 'react';

export interface ExternalLinkProps {
  /** Already checked: http(s) or mailto only (see `safeLinkHref`, `linkify`). */
  href: string;
  children: ReactNode;
}

/**
 * A link in a message. It opens in a new tab with no `opener` (the page it opens cannot
 * navigate the chat), no referrer (the chat's URL stays private) and `nofollow` (people's links
 * are not endorsements of the host site).
 */
export function ExternalLink({ href, children }: ExternalLinkProps) {
  return (
    <a className="chat-message-text__link" href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  );
}
