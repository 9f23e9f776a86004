/**
 * jsdom lays nothing out: every size is 0, so a virtualizer would show no rows. This gives the
 * message list's scroller a fixed 600 px viewport and every virtual row a 60 px height, and
 * makes scrolling move `scrollTop` (clamped) and fire `scroll` soon after, as a browser does. Real scrolling
 * is tested in a browser (the example app's Playwright tests).
 */
export const VIEWPORT_HEIGHT = 600;
export const ROW_HEIGHT = 60;

const scrollTops = new WeakMap<Element, number>();

const isScroller = (el: Element) => el.classList.contains('chat-message-list__scroller');
const isRow = (el: Element) => el.classList.contains('chat-message-list__row');

/** The scroller's content height: its canvas's inline height (the virtualizer's total size). */
function contentHeight(el: Element): number {
  const canvas = el.querySelector<HTMLElement>('.chat-message-list__canvas');
  return canvas ? Number.parseFloat(canvas.style.height) || 0 : 0;
}

export function installLayout(): void {
  const proto = HTMLElement.prototype;
  Object.defineProperty(proto, 'clientHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isScroller(this) ? VIEWPORT_HEIGHT : 0;
    },
  });
  Object.defineProperty(proto, 'clientWidth', {
    configurable: true,
    get(this: HTMLElement) {
      return isScroller(this) ? 800 : 0;
    },
  });
  Object.defineProperty(proto, 'offsetHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isRow(this) ? ROW_HEIGHT : 0;
    },
  });
  Object.defineProperty(proto, 'scrollHeight', {
    configurable: true,
    get(this: HTMLElement) {
      return isScroller(this) ? Math.max(contentHeight(this), VIEWPORT_HEIGHT) : 0;
    },
  });
  Object.defineProperty(proto, 'scrollTop', {
    configurable: true,
    get(this: HTMLElement) {
      return scrollTops.get(this) ?? 0;
    },
    set(this: HTMLElement, value: number) {
      const max = Math.max(0, this.scrollHeight - this.clientHeight);
      const next = Math.min(Math.max(0, value), max);
      if (next === (scrollTops.get(this) ?? 0)) return;
      scrollTops.set(this, next);
      // Later, as browsers do (on the next frame), and a UIEvent: the global `Event` is Node's
      // here (see jsdom-environment.ts), which jsdom refuses.
      const view = this.ownerDocument.defaultView!;
      setTimeout(() => this.dispatchEvent(new view.UIEvent('scroll')), 0);
    },
  });
  proto.scrollTo = function scrollTo(this: HTMLElement, options?: ScrollToOptions | number, y?: number) {
    const top = typeof options === 'number' ? (y ?? 0) : options?.top;
    if (top !== undefined) this.scrollTop = top;
  } as HTMLElement['scrollTo'];
  proto.scrollIntoView = () => {};
}
