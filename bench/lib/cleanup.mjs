/**
 * Undoes what a run set up, last first (a stack of async steps: stop servers, close clients, drop
 * schemas). A step that fails does not stop the others: a run's cleanup must get as far as it can.
 */
export async function unwind(stack) {
  for (const undo of stack.reverse()) {
    try {
      await undo();
    } catch {}
  }
}
