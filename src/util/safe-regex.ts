// Regular expressions from a pull request (a policy's regex_match, a CEL find) run on JavaScript's backtracking
// engine, where Go's RE2 runs in linear time: a nested quantifier such as (a+)+ or (a|aa)* can take exponential
// time on a crafted input and hang the verifier. Such patterns are refused before they run.

/**
 * Why a pattern could backtrack catastrophically — a quantified group that itself contains a quantifier (star
 * height above one), or a quantified group of alternatives — or undefined when it is safe to run.
 */
export function backtrackingRisk(pattern: string): string | undefined {
  // per open group: does it contain an unbounded quantifier, or an alternation?
  const stack: Array<{ quantified: boolean; alternation: boolean }> = [{ quantified: false, alternation: false }];
  let lastGroup: { quantified: boolean; alternation: boolean } | undefined;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === "\\") {
      i++;
      lastGroup = undefined;
      continue;
    }
    if (c === "[") {
      // a character class: skip to its end (escapes and a leading ] included)
      let j = i + 1;
      if (pattern[j] === "^") j++;
      if (pattern[j] === "]") j++;
      while (j < pattern.length && pattern[j] !== "]") j += pattern[j] === "\\" ? 2 : 1;
      i = j;
      lastGroup = undefined;
      continue;
    }
    if (c === "(") {
      stack.push({ quantified: false, alternation: false });
      lastGroup = undefined;
      continue;
    }
    if (c === ")") {
      lastGroup = stack.length > 1 ? stack.pop() : undefined;
      continue;
    }
    if (c === "|") {
      stack[stack.length - 1]!.alternation = true;
      lastGroup = undefined;
      continue;
    }
    const unbounded = c === "*" || c === "+" || (c === "{" && /^\{\d*,\}/.test(pattern.slice(i)));
    if (unbounded) {
      if (lastGroup?.quantified) return `a repeated group contains a repetition ("${pattern}"): it can take exponential time`;
      if (lastGroup?.alternation) return `a repeated group of alternatives ("${pattern}"): it can take exponential time`;
      stack[stack.length - 1]!.quantified = true;
      if (lastGroup) {
        // the group's own repetition counts for the group around it
        lastGroup = undefined;
      }
      continue;
    }
    if (c === "?" && pattern[i - 1] !== "(") continue;
    lastGroup = undefined;
  }
  return undefined;
}
