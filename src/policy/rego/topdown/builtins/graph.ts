// graph.reachable and graph.reachable_paths (topdown/graphs.go). Edges are a set or an array of node names; a node
// missing from the graph, or with null edges, has none.

import type { Builtin } from "./types.js";
import { fn, obj, typeError } from "./operands.js";
import { RegoSet, typeName } from "../../value.js";
import type { RegoObject, Value } from "../../value.js";

function vertices(v: Value | undefined): readonly Value[] {
  if (Array.isArray(v)) return v as readonly Value[];
  if (v instanceof RegoSet) return v.sorted();
  return [];
}

function initialOperand(name: string, v: Value): readonly Value[] {
  if (!Array.isArray(v) && !(v instanceof RegoSet)) throw typeError(name, `operand 2 must be {array, set} but got ${typeName(v)}`);
  return vertices(v);
}

function reachable(graph: RegoObject, initial: readonly Value[]): RegoSet {
  const reached = new RegoSet();
  const queue = [...initial];
  while (queue.length > 0) {
    const node = queue.shift()!;
    const edges = graph.get(node);
    if (edges !== undefined) {
      for (const n of vertices(edges)) if (!reached.has(n)) queue.push(n);
      reached.add(node);
    }
  }
  return reached;
}

/** OPA's pathBuilder: depth first, `reached` shared below one first edge, a path committed where it cannot go on. */
function pathBuilder(graph: RegoObject, root: Value, path: readonly Value[], out: RegoSet, reached: RegoSet): void {
  const edges = graph.get(root);
  if (edges === undefined) {
    // a node missing from the graph: the path so far, without it
    out.add([...path]);
    return;
  }
  const here = [...path, root];
  const next = vertices(edges);
  if (next.length === 0) {
    out.add(here);
    return;
  }
  for (const n of next) {
    if (reached.has(n)) out.add(here);
    else {
      reached.add(root);
      pathBuilder(graph, n, here, out, reached);
    }
  }
}

export const GRAPH_BUILTINS: readonly Builtin[] = [
  fn("graph.reachable", 2, (args) => reachable(obj("graph.reachable", args, 0), initialOperand("graph.reachable", args[1]!))),
  fn("graph.reachable_paths", 2, (args) => {
    const graph = obj("graph.reachable_paths", args, 0);
    const out = new RegoSet();
    for (const node of initialOperand("graph.reachable_paths", args[1]!)) {
      const edges = graph.get(node);
      if (edges === undefined) continue;
      const next = vertices(edges);
      if (next.length === 0) out.add([node]);
      // each first edge starts with only the initial node reached
      for (const n of next) pathBuilder(graph, n, [node], out, RegoSet.of([node]));
    }
    return out;
  }),
];
