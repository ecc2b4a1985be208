/**
 * A PST/OST folder tree with item counts and a checkbox per folder: unticking a folder leaves
 * it and everything below it out of the conversion. Native checkboxes inside nested lists keep
 * it keyboard-operable and readable by screen readers without ARIA tree machinery.
 */
import { h, plural } from './format.ts';
import type { FolderNode } from '../worker/api.ts';

export function renderTree(root: FolderNode, excluded: Set<number>, labelledBy: string, onChange: () => void): HTMLElement {
  const total = (n: FolderNode): number => n.count + n.children.reduce((a, c) => a + total(c), 0);
  const boxes = new Map<number, { box: HTMLInputElement; node: FolderNode }>();

  const setDisabled = (n: FolderNode, disabled: boolean) => {
    for (const c of n.children) {
      const b = boxes.get(c.nid);
      if (b) b.box.disabled = disabled || excluded.has(c.nid);
      setDisabled(c, disabled || excluded.has(c.nid));
    }
  };

  const item = (n: FolderNode, depth: number): HTMLLIElement => {
    const box = h('input', { type: 'checkbox', checked: !excluded.has(n.nid) }) as HTMLInputElement;
    boxes.set(n.nid, { box, node: n });
    box.addEventListener('change', () => {
      if (box.checked) excluded.delete(n.nid);
      else excluded.add(n.nid);
      setDisabled(n, !box.checked);
      onChange();
    });
    const counts = [plural(n.count, 'item')];
    if (n.assoc) counts.push(`${n.assoc} hidden`);
    const sub = total(n) - n.count;
    if (sub > 0) counts.push(`${sub.toLocaleString('en')} below`);
    const label = h('label', { class: n.hidden ? 'hidden-folder' : undefined },
      depth === 0 ? false : box,
      h('span', {}, n.name || (depth === 0 ? 'Whole file' : '(no name)'), n.hidden ? ' (hidden)' : '', n.search ? ' (search folder)' : ''),
      h('span', { class: 'count' }, counts.join(' · ')));
    const li = h('li', {}, label);
    if (n.children.length) li.append(h('ul', {}, ...n.children.map((c) => item(c, depth + 1))));
    return li;
  };

  const wrap = h('details', { class: 'tree-wrap', open: true },
    h('summary', {}, `Folders (${plural(total(root), 'item')} in all)`),
    h('ul', { class: 'tree', 'aria-labelledby': labelledBy }, item(root, 0)));
  return wrap;
}
