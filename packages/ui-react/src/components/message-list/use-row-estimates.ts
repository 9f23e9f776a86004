import { measureElement as measureRow, type Virtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, useState } from 'react';
import type { MessageRow } from './build-rows';

/** Texts up to this long fit on one line even on a phone: one shape, whatever their length. */
const ONE_LINE = 24;
/** Shapes remembered per list; past it the memory starts over (a rare, very varied history). */
const MAX_SHAPES = 2_000;

const shapes = new WeakMap<MessageRow, string>();

/**
 * What decides a row's height, short of laying it out: its parts (date separator, author header,
 * quote, attachments, reactions, replies, edit mark) and its text's length and line breaks.
 * Rows of one shape have one height at one width, as a rule. Kept per row object (`buildRows`
 * makes new ones when the messages change): the virtualizer asks for thousands at a time.
 */
export function rowShape(row: MessageRow): string {
  let shape = shapes.get(row);
  if (shape !== undefined) return shape;
  const m = row.message;
  const text = m.text ?? '';
  const breaks = text.split('\n').length;
  const reactions = Object.keys(m.reaction_counts).length;
  shape = [
    row.startsDay ? 'd' : '',
    row.grouped ? 'g' : 'h',
    m.deleted_at !== null || m.type === 'deleted' ? 'x' : '',
    m.quoted_message ? `q${m.quoted_message.text?.length ?? 0}` : '',
    m.attachments.length > 0 ? `a${m.attachments.map((a) => a.type).join(',')}` : '',
    reactions > 0 ? `r${reactions}` : '',
    m.reply_count > 0 ? 't' : '',
    m.edited_at ? 'e' : '',
    m.status,
    text.length <= ONE_LINE && breaks === 1 ? 's' : `${text.length}.${breaks}`,
  ].join('|');
  shapes.set(row, shape);
  return shape;
}

/**
 * Row height estimates learned from the rows already measured, by shape and width.
 *
 * The virtualizer places unmeasured rows by their estimate, and every first measurement that
 * differs from it re-places all the rows after it: in a 10,000-message history scrolled to the
 * top, that was a pass over 10,000 rows for each row coming into view, and a scroll correction
 * each. With estimates that are right for most rows (chat is mostly one-line messages of a few
 * shapes), most first measurements change nothing.
 *
 * Estimates learned at the end of the list (where a list opens) are applied to the rows not yet
 * measured by a new `version`, which the caller puts in `getItemKey`'s identity so the virtualizer
 * re-places the whole list once, while that cannot move what the reader is looking at.
 */
export function useRowEstimates(
  rows: readonly MessageRow[],
  fallback: number,
  shapeOf: (row: MessageRow) => string,
  canReplace: () => boolean,
) {
  const sizes = useRef(new Map<string, number>());
  const [version, setVersion] = useState(0);
  const bumpQueued = useRef(false);
  const width = useRef(0);
  // Each row's key, made once per rows, shapes and width: the virtualizer asks for the estimates
  // of every row not yet measured after each first measurement, thousands at a time.
  const keys = useRef({ rows, shapeOf, width: -1, of: [] as (string | undefined)[] });
  const keyAt = useCallback(
    (index: number) => {
      const cache = keys.current;
      if (cache.rows !== rows || cache.shapeOf !== shapeOf || cache.width !== width.current) {
        keys.current = { rows, shapeOf, width: width.current, of: [] };
      }
      const of = keys.current.of;
      let key = of[index];
      if (key === undefined) {
        const row = rows[index];
        if (!row) return undefined;
        key = `${width.current}|${shapeOf(row)}`;
        of[index] = key;
      }
      return key;
    },
    [rows, shapeOf],
  );

  const estimateSize = useCallback(
    (index: number) => {
      const key = keyAt(index);
      return (key !== undefined && sizes.current.get(key)) || fallback;
    },
    [keyAt, fallback],
  );

  const measureElement = useCallback(
    (
      element: Element,
      entry: ResizeObserverEntry | undefined,
      instance: Virtualizer<HTMLDivElement, Element>,
    ) => {
      const size = measureRow(element, entry, instance);
      width.current = Math.round(instance.scrollRect?.width ?? 0);
      const key = keyAt(instance.indexFromElement(element));
      if (key === undefined || size <= 0 || sizes.current.has(key)) return size;
      if (sizes.current.size >= MAX_SHAPES) sizes.current.clear();
      sizes.current.set(key, size);
      if (canReplace() && !bumpQueued.current) {
        bumpQueued.current = true;
        queueMicrotask(() => {
          bumpQueued.current = false;
          setVersion((v) => v + 1);
        });
      }
      return size;
    },
    [keyAt, canReplace],
  );

  return { estimateSize, measureElement, version };
}
