// Where HAPI puts each segment of a VXU_V04 (v2.5.1): its groups, repetitions and nonstandard segments.

import type { RawSegment } from './hapi-message.ts';

interface Def {
  readonly name: string;
  readonly segment: boolean;
  readonly repeating: boolean;
  readonly required: boolean;
  readonly children: Def[];
  parent?: Def;
  position: number;
  nextLeaf?: Def;
}

const seg = (name: string, repeating = false, required = false): Def => ({
  name,
  segment: true,
  repeating,
  required,
  children: [],
  position: 0,
});
const group = (name: string, repeating: boolean, required: boolean, children: Def[]): Def => ({
  name,
  segment: false,
  repeating,
  required,
  children,
  position: 0,
});

/** VXU_V04 as HAPI's v2.5.1 model defines it; the parser's placement depends on every optional/repeating flag. */
function vxuDefinition(): Def {
  const root = group('VXU_V04', false, true, [
    seg('MSH', false, true),
    seg('SFT', true),
    seg('PID', false, true),
    seg('PD1'),
    seg('NK1', true),
    group('PATIENT', false, false, [seg('PV1', false, true), seg('PV2')]),
    seg('GT1', true),
    group('INSURANCE', true, false, [seg('IN1', false, true), seg('IN2'), seg('IN3')]),
    group('ORDER', true, false, [
      seg('ORC', false, true),
      group('TIMING', true, false, [seg('TQ1', false, true), seg('TQ2', true)]),
      seg('RXA', false, true),
      seg('RXR'),
      group('OBSERVATION', true, false, [seg('OBX', false, true), seg('NTE', true)]),
    ]),
  ]);
  let previousLeaf: Def | undefined;
  const link = (d: Def) => {
    d.children.forEach((c, i) => {
      c.parent = d;
      c.position = i;
      if (c.segment) {
        if (previousLeaf) previousLeaf.nextLeaf = c;
        previousLeaf = c;
      } else link(c);
    });
  };
  link(root);
  return root;
}

const firstChildrenCache = new WeakMap<Def, Set<string>>();
function firstChildren(d: Def): Set<string> {
  let names = firstChildrenCache.get(d);
  if (!names) {
    names = new Set();
    for (const c of d.children) {
      for (const n of firstChildren(c)) names.add(n);
      if (c.required) break;
    }
    names.add(d.name);
    firstChildrenCache.set(d, names);
  }
  return names;
}

const followingCache = new WeakMap<Def, Set<string>>();
function followingLeaves(d: Def): Set<string> {
  let names = followingCache.get(d);
  if (!names) {
    names = new Set();
    if (d.nextLeaf) {
      names.add(d.nextLeaf.name);
      for (const n of followingLeaves(d.nextLeaf)) names.add(n);
    }
    for (let p = d.parent; p; p = p.parent) {
      if (p.repeating) for (const n of firstChildren(p)) names.add(n);
    }
    followingCache.set(d, names);
  }
  return names;
}

const isFinalChild = (d: Def): boolean => !d.parent || d.position === d.parent.children.length - 1;

/** A placed position: a definition, or a nonstandard segment HAPI added after one (it inherits its neighbour's). */
interface Position {
  readonly def: Def;
  readonly nonstandard?: string;
  rep: number;
}

/** An instance of a group: each child name → its repetitions (segments are raw segments, groups are instances). */
export interface GroupInstance {
  readonly children: Map<string, (RawSegment | GroupInstance)[]>;
}

const newGroup = (): GroupInstance => ({ children: new Map() });
const VXU_V04 = vxuDefinition();

/** Walks a placement path from the message down, creating group repetitions as HAPI's Group.get does. */
function walk(message: GroupInstance, path: readonly Position[], leaf?: RawSegment): GroupInstance {
  let current = message;
  for (let i = 1; i < path.length; i++) {
    const p = path[i]!;
    const name = p.nonstandard ?? p.def.name;
    const reps = current.children.get(name) ?? [];
    current.children.set(name, reps);
    if (leaf && i === path.length - 1) {
      reps[p.rep] = leaf;
      break;
    }
    while (reps.length <= p.rep) reps.push(newGroup());
    current = reps[p.rep] as GroupInstance;
  }
  return current;
}

/**
 * Places segments the way HAPI's parser MessageIterator does (unexpected segments allowed): into the next position
 * whose name matches, into a new repetition of a repeating group only when the segment can start it, and anywhere
 * else as a nonstandard segment, which Terser paths never find. So an RXA with no ORC before it is not "the" RXA.
 */
export function place(segments: readonly RawSegment[]): GroupInstance {
  const message = newGroup();
  let path: Position[] = [{ def: VXU_V04, rep: 0 }];

  const popUntilMatch = (direction: string, from: readonly Position[]): Position[] | undefined => {
    const popped = from.slice(0, -1);
    const top = popped[popped.length - 1]!.def;
    if (firstChildren(top).has(direction)) return popped;
    if (isFinalChild(top)) return popped.length > 1 ? popUntilMatch(direction, popped) : undefined;
    return popped;
  };
  const addNonstandard = (direction: string) => {
    const parentPath = path.slice(0, -1);
    const parentDef = parentPath[parentPath.length - 1]!.def;
    const parent = walk(message, parentPath);
    const taken = (n: string) => parent.children.has(n) || parentDef.children.some((c) => c.name === n);
    // HAPI renames a nonstandard segment whose name the group already has (a second RXA becomes RXA2).
    let name = direction;
    for (let n = 2; taken(name); n++) name = `${direction}${n}`;
    path = [...parentPath, { def: path[path.length - 1]!.def, nonstandard: name, rep: 0 }];
  };

  for (const segment of segments) {
    const direction = segment.name;
    for (;;) {
      const p = path[path.length - 1]!;
      // A nonstandard position answers to its own name and otherwise behaves like the definition before it.
      const d = p.def;
      const isNonstandard = p.nonstandard !== undefined;
      const isSegment = isNonstandard || d.segment;
      const hasChildren = !isNonstandard && d.children.length > 0;
      const following = followingLeaves(d);
      if ((p.nonstandard ?? d.name) === direction && (isNonstandard || d.repeating || p.rep === -1)) {
        p.rep++;
        break;
      }
      if (isSegment && !d.nextLeaf && !following.has(direction)) {
        addNonstandard(direction);
        break;
      }
      if (hasChildren && firstChildren(d).has(direction)) {
        p.rep++;
        path.push({ def: d.children[0]!, rep: -1 });
        continue;
      }
      if (!hasChildren && !following.has(direction)) {
        addNonstandard(direction);
        break;
      }
      if (isFinalChild(d)) {
        const popped = popUntilMatch(direction, path);
        if (!popped) {
          addNonstandard(direction);
          break;
        }
        path = popped;
        continue;
      }
      path[path.length - 1] = { def: d.parent!.children[d.position + 1]!, rep: -1 };
    }
    walk(message, path, segment);
  }
  return message;
}

function child(g: GroupInstance | undefined, name: string, rep = 0): RawSegment | GroupInstance | undefined {
  return g?.children.get(name)?.[rep];
}
export const segmentIn = (g: GroupInstance | undefined, name: string): RawSegment | undefined =>
  child(g, name) as RawSegment | undefined;
export const groupIn = (g: GroupInstance | undefined, name: string, rep = 0): GroupInstance | undefined =>
  child(g, name, rep) as GroupInstance | undefined;
