/** A trie over name fragments (`otelcol` → `exporter` → `otlp`), for lookups by dotted names without joining them. */
export interface Trie<T> {
  value?: T;
  next?: Map<string, Trie<T>>;
}

/** The node at `path`, created along the way if missing. */
export function trieNode<T>(root: Trie<T>, path: readonly string[]): Trie<T> {
  let node = root;
  for (const fragment of path) {
    node.next ??= new Map();
    let child = node.next.get(fragment);
    if (child === undefined) {
      child = {};
      node.next.set(fragment, child);
    }
    node = child;
  }
  return node;
}
