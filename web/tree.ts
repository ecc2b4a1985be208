/**
 * A PST/OST folder tree with item counts. Ticking folders converts only those, each with its
 * subfolders (the CLI's --only-obj); with none ticked the whole file is converted. Native
 * checkboxes inside nested lists keep it keyboard-operable and readable by screen readers
 * without ARIA tree machinery.
 */
import { h, plural, formatBytes } from './format.ts';
import type { FolderNode } from '../worker/api.ts';

export const subtreeItems = (n: FolderNode): number => n.count + n.children.reduce((a, c) => a + subtreeItems(c), 0);

/** Items that a conversion of `root` restricted to `only` (none = all) will meet. */
export function selectedItems(root: FolderNode, only: Set<number>): number {
  if (only.size === 0 || only.has(root.nid)) return subtreeItems(root);
  return root.children.reduce((a, c) => a + selectedItems(c, only), 0);
}

export function renderTree(root: FolderNode, only: Set<number>, labelledBy: string, onChange: () => void): HTMLElement {
  const boxes = new Map<number, HTMLInputElement>();

  // A ticked folder brings its subtree: show descendants ticked and locked.
  const lock = (n: FolderNode, locked: boolean) => {
    for (const c of n.children) {
      const b = boxes.get(c.nid)!;
      b.disabled = locked;
      b.checked = locked || only.has(c.nid);
      lock(c, locked || only.has(c.nid));
    }
  };

  const item = (n: FolderNode, depth: number): HTMLLIElement => {
    const box = h('input', { type: 'checkbox', checked: only.has(n.nid), value: String(n.nid) }) as HTMLInputElement;
    boxes.set(n.nid, box);
    box.addEventListener('change', () => {
      if (box.checked) only.add(n.nid);
      else only.delete(n.nid);
      // Ticking a folder supersedes ticks below it.
      const clear = (x: FolderNode) => x.children.forEach((c) => { only.delete(c.nid); clear(c); });
      if (box.checked) clear(n);
      lock(n, box.checked);
      onChange();
    });
    const counts = [plural(n.count, 'item') + (n.size ? ` (${formatBytes(n.size)})` : '')];
    if (n.assoc) counts.push(`${n.assoc} hidden`);
    const sub = subtreeItems(n) - n.count;
    if (sub > 0) counts.push(`${sub.toLocaleString('en')} below`);
    const label = h('label', { class: n.hidden ? 'hidden-folder' : undefined },
      depth === 0 ? false : box,
      h('span', {}, n.name || (depth === 0 ? 'Whole file' : '(no name)'), n.hidden ? ' (hidden)' : '', n.search ? ' (search folder)' : ''),
      h('span', { class: 'count' }, counts.join(' · ')));
    const li = h('li', {}, label);
    if (n.children.length) li.append(h('ul', {}, ...n.children.map((c) => item(c, depth + 1))));
    return li;
  };

  const list = h('ul', { class: 'tree', 'aria-labelledby': labelledBy }, item(root, 0));
  lock(root, false);
  return h('details', { class: 'tree-wrap', open: true },
    h('summary', {}, `Folders (${plural(subtreeItems(root), 'item')} in all)`),
    h('p', { class: 'muted tree-help' }, 'Leave all unticked to convert the whole file, or tick the folders to convert (each with its subfolders).'),
    list);
}
