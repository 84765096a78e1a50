// Kyverno's wildcards (pkg/utils/wildcard): '*' any run of characters, '?' one character (rune), nothing escaped.
// One matcher for names, namespaces, kinds, labels, values and images alike; it walks both strings once with a
// single backtracking point, so no pattern from a policy can make it slow.

export function containsWildcard(text: string): boolean {
  return text.includes("*") || text.includes("?");
}

export function wildcardMatch(pattern: string, name: string): boolean {
  if (!containsWildcard(pattern)) return pattern === name;
  const p = Array.from(pattern);
  const n = Array.from(name);
  let px = 0;
  let nx = 0;
  let starPx = -1;
  let starNx = 0;
  while (nx < n.length) {
    if (px < p.length) {
      if (p[px] === "*") {
        px++;
        if (px === p.length) return true;
        starPx = px;
        starNx = nx;
        continue;
      }
      if (p[px] === "?" || p[px] === n[nx]) {
        px++;
        nx++;
        continue;
      }
    }
    if (starPx < 0) return false;
    starNx++;
    px = starPx;
    nx = starNx;
  }
  while (px < p.length && p[px] === "*") px++;
  return px === p.length;
}
