// scalpmap designer: undo and redo. A snapshot is taken before each change (a drag, a nudge, a
// template, a landmark); undo restores the one before, redo the one undone.

const LIMIT = 60;

export function createHistory(onChange) {
  const past = [];
  const future = [];

  return {
    /** Remember `snapshot` (the design before a change); a new change clears what was undone. */
    push(snapshot) {
      past.push(snapshot);
      if (past.length > LIMIT) {
        past.shift();
      }
      future.length = 0;
      onChange();
    },
    /** Step back: return the snapshot to restore, after remembering `current` for redo. */
    undo(current) {
      if (!past.length) {
        return null;
      }
      future.push(current);
      const snap = past.pop();
      onChange();
      return snap;
    },
    /** Take back the last snapshot, as if the change after it never began (a drag called off). */
    drop() {
      const snap = past.pop() || null;
      onChange();
      return snap;
    },
    redo(current) {
      if (!future.length) {
        return null;
      }
      past.push(current);
      const snap = future.pop();
      onChange();
      return snap;
    },
    get canUndo() {
      return past.length > 0;
    },
    get canRedo() {
      return future.length > 0;
    }
  };
}
