/**
 * The lists one batch of events has copied. Copying a 10,000-message list costs far more than the
 * change an event makes, so a batch copies a list once, on its first change, and then changes
 * its own copy in place. Only copies made by the batch are ever changed, never a list that a
 * snapshot someone has seen holds: whoever ends the batch (a read of the state) makes sure of it.
 */
export class TransientLists {
  private readonly owned = new WeakSet<readonly unknown[]>();

  /** Whether this batch made `list`, so that it may change it in place. */
  owns<T>(list: readonly T[]): list is T[] {
    return this.owned.has(list);
  }

  /** Takes a copy just made as the batch's own. */
  adopt<T>(copy: T[]): T[] {
    this.owned.add(copy);
    return copy;
  }
}

/** A list to change: the batch's own copy, or a fresh copy of `list`. */
export function writableList<T>(list: readonly T[], batch: TransientLists | undefined): T[] {
  if (batch?.owns(list)) return list;
  const copy = list.slice();
  return batch ? batch.adopt(copy) : copy;
}

/** `list` with `item` inserted at `index`: the batch's own copy changed in place, or a new list. */
export function insertAt<T>(
  list: readonly T[],
  index: number,
  item: T,
  batch: TransientLists | undefined,
): T[] {
  if (batch?.owns(list)) {
    if (index === list.length) list.push(item);
    else list.splice(index, 0, item);
    return list;
  }
  // One allocation of the final size: a copy that `push` then grows allocates twice, and with
  // 10,000 items the allocations are most of what an event costs.
  const next = list.concat([item]);
  for (let i = next.length - 1; i > index; i--) next[i] = next[i - 1] as T;
  next[index] = item;
  return batch ? batch.adopt(next) : next;
}

/** `list` with the item at `index` replaced by `item`. */
export function replaceAt<T>(
  list: readonly T[],
  index: number,
  item: T,
  batch: TransientLists | undefined,
): T[] {
  const next = writableList(list, batch);
  next[index] = item;
  return next;
}
