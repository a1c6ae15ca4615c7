// The one DOM helper the screens share: an element with attributes and children. Text goes in as text nodes (append of a
// string), never as HTML, so a guest's name cannot become markup.
type Attrs = Record<string, string>;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: (Node | string)[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}
