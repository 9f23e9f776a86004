import { useEffect, useState } from 'react';
import { lazyModule } from '../../lazy-module';
import { mayContainMarkdown } from '../../text/markdown-syntax';

type MarkdownModule = typeof import('./markdown');

// One load for the whole page, shared by every message; once here, renders are synchronous.
const renderer = lazyModule<MarkdownModule>(() => import('./markdown'));

/**
 * The markdown renderer for `text`, or `null` while it is not needed or not loaded yet (the
 * caller shows the plain text meanwhile, so a message never flashes empty). Text without any
 * markdown syntax never loads it. Nothing happens on the server: the load starts in an effect.
 */
export function useMarkdown(text: string, enabled = true): MarkdownModule['renderMarkdown'] | null {
  const wanted = enabled && mayContainMarkdown(text);
  const [module, setModule] = useState<MarkdownModule | null>(renderer.current);
  useEffect(() => {
    if (!wanted || module) return;
    let live = true;
    renderer.load().then(
      (m) => live && setModule(m),
      () => {
        // Stays plain text: still readable, links still links.
      },
    );
    return () => {
      live = false;
    };
  }, [wanted, module]);
  return wanted && module ? module.renderMarkdown : null;
}
