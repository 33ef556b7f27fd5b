/**
 * Dotted grant paths (LavaMoat's `globals` and `builtin` keys): which entries sit under which, the
 * hierarchy rule (an allowed parent makes a listed child meaningless, so the child is refused) and
 * the reduction to the topmost entries that merging applies.
 */

/** The proper ancestors of a dotted path, nearest first: `a.b.c` → `a.b`, `a`. */
export const ancestorsOf = (path: string): string[] => {
  const ancestors: string[] = [];
  for (let dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) ancestors.push(path.slice(0, dot));
  return ancestors;
};

export interface HierarchyViolation {
  readonly path: string;
  readonly parent: string;
}

/** Entries listed under an ancestor that is present and not `false` (the nearest such ancestor). */
export const hierarchyViolations = (items: ReadonlyMap<string, unknown>): HierarchyViolation[] => {
  const violations: HierarchyViolation[] = [];
  for (const path of items.keys()) {
    const parent = ancestorsOf(path).find(ancestor => items.has(ancestor) && items.get(ancestor) !== false);
    if (parent !== undefined) violations.push({ path, parent });
  }
  return violations;
};

/** The message for one violation (LavaMoat's rule: set the parent to false to narrow it). */
export const hierarchyMessage = ({ path, parent }: HierarchyViolation): string =>
  `${JSON.stringify(path)} is invalid when ${JSON.stringify(parent)} is also present and not false; set ${JSON.stringify(parent)} to false if you meant to allow less than all of it`;

/**
 * Removes every entry that has a present ancestor, whatever the ancestor's value: an allowed parent
 * covers its children, and a denied parent denies the children a generated policy listed.
 */
export const reduceToTopmost = (items: Map<string, unknown>): void => {
  for (const path of [...items.keys()]) {
    if (ancestorsOf(path).some(ancestor => items.has(ancestor))) items.delete(path);
  }
};
