/**
 * A small property bag for building MessageContent: first value wins (vCard cards repeat
 * properties; the first occurrence is the one gromox and Outlook keep), insertion order is the
 * output order, so the result is deterministic.
 */
import type { Prop, PropValue } from '../mapi/types.ts';
import { namedTag, type NamedDef } from './names.ts';

export class PropBag {
  private readonly map = new Map<string | number, Prop>();

  private static readonly defKeys = new WeakMap<NamedDef, string>();
  private static key(tag: number, def?: NamedDef): string | number {
    if (!def) return tag;
    let k = PropBag.defKeys.get(def);
    if (k === undefined) {
      k = `${def.name.guid}|${def.name.lid ?? ''}|${def.name.name ?? ''}|${def.type}`;
      PropBag.defKeys.set(def, k);
    }
    return k;
  }
  has(tag: number): boolean {
    return this.map.has(PropBag.key(tag));
  }
  hasNamed(def: NamedDef): boolean {
    return this.map.has(PropBag.key(0, def));
  }
  /** Set a tagged property unless present; returns whether it was set. Empty strings are not stored. */
  set(tag: number, value: PropValue, replace = false, allowEmpty = false): boolean {
    if ((value === '' && !allowEmpty) || value === undefined) return false;
    const k = PropBag.key(tag);
    if (this.map.has(k) && !replace) return false;
    this.map.set(k, { tag, value });
    return true;
  }
  setNamed(def: NamedDef, value: PropValue, replace = false): boolean {
    if (value === '' || value === undefined) return false;
    const k = PropBag.key(0, def);
    if (this.map.has(k) && !replace) return false;
    this.map.set(k, { tag: namedTag(def), value, name: { ...def.name } });
    return true;
  }
  delete(tag: number): void {
    this.map.delete(PropBag.key(tag));
  }
  deleteNamed(def: NamedDef): void {
    this.map.delete(PropBag.key(0, def));
  }
  get(tag: number): PropValue | undefined {
    return this.map.get(PropBag.key(tag))?.value;
  }
  getNamed(def: NamedDef): PropValue | undefined {
    return this.map.get(PropBag.key(0, def))?.value;
  }
  get size(): number {
    return this.map.size;
  }
  props(): Prop[] {
    return [...this.map.values()];
  }
}
