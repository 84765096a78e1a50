// Kyverno condition operators and conditions blocks. The tables are ported from Kyverno's Go tests, named after them:
// pkg/engine/variables/evaluate_test.go (TestEvaluate, Test_Condition_Messages) and pkg/engine/variables/operator/
// {equal,notequal,anyin,anynotin,allnotin,numeric,duration,operator}_test.go. Go's ToJSON(x) round trip makes every
// number a float64, which is what a JS number is here. Other cases come from the Kyverno CLI conformance suites in
// shared/conformance/kyverno-cli (the folder is named) or check one rule of the port.
import { describe, expect, it } from "vitest";
import { evaluateConditionBlock, evaluateOperator } from "../../src/policy/kyverno/operators.ts";

type Case = [operator: string, key: unknown, value: unknown, want: boolean];

function expectOperator([operator, key, value, want]: Case): void {
  const result = evaluateOperator(operator, key, value);
  expect(result).toEqual({ ok: true, value: want });
}

const IPS = ["1.1.1.1", "2.2.2.2", "3.3.3.3"];

describe("TestEvaluate (pkg/engine/variables/evaluate_test.go)", () => {
  it.each<Case>([
    // Equals
    ["Equals", "string", "string", true],
    ["Equals", 1, 1, true],
    ["Equals", 1.0, 1.0, true],
    ["Equals", true, true, true],
    ["Equals", false, false, true],
    ["Equals", "1024", "1Ki", true],
    ["Equals", "1Ki", "1024", true],
    ["Equals", "1Gi", "1Gi", true],
    ["Equals", "1Gi", "1024Mi", true],
    ["Equals", "1h", "1h", true],
    ["Equals", "1h", "60m", true],
    ["Equals", { foo: "bar" }, { foo: "bar" }, true],
    ["Equals", ["foo", "bar"], ["foo", "bar"], true],
    ["Equals", [{ foo: "bar" }], [{ foo: "bar" }], true],
    ["Equals", "string", "not string", false],
    ["Equals", 1, 2, false],
    ["Equals", 1.0, 2.0, false],
    ["Equals", true, false, false],
    ["Equals", false, true, false],
    ["Equals", "1Gi", "10Gi", false],
    ["Equals", "10Gi", "1024Mi", false],
    ["Equals", "1h", "5h", false],
    ["Equals", "1h", "30m", false],
    ["Equals", "string", 1, false],
    ["Equals", 1, "2", false],
    ["Equals", 1.0, "2.0", false],
    ["Equals", true, "false", false],
    ["Equals", false, "true", false],
    ["Equals", { foo: "bar" }, { bar: "foo" }, false],
    ["Equals", ["foo", "bar"], ["bar", "foo"], false],
    ["Equals", [{ foo: "bar" }], [{ bar: "foo" }], false],
    ["Equals", "1h", 3600, true],
    ["Equals", "2h", 3600, false],
    ["Equals", "1.5.2", "1.5.2", true],
    ["Equals", "1.5.2", "1.5.*", true],
    ["Equals", "1.5.0", "1.5.5", false],
    // Not Equals
    ["NotEquals", "string", "string", false],
    ["NotEquals", 1, 1, false],
    ["NotEquals", 1.0, 1.0, false],
    ["NotEquals", true, false, true],
    ["NotEquals", false, false, false],
    ["NotEquals", "1024", "1Ki", false],
    ["NotEquals", "1Ki", "1024", false],
    ["NotEquals", "1023", "1Ki", true],
    ["NotEquals", "1Ki", "1023", true],
    ["NotEquals", "1Gi", "1Gi", false],
    ["NotEquals", "10Gi", "1024Mi", true],
    ["NotEquals", "1h", "1h", false],
    ["NotEquals", "1h", "60m", false],
    ["NotEquals", { foo: "bar" }, { foo: "bar" }, false],
    ["NotEquals", ["foo", "bar"], ["foo", "bar"], false],
    ["NotEquals", [{ foo: "bar" }], [{ foo: "bar" }], false],
    ["NotEquals", "string", "not string", true],
    ["NotEquals", 1, 2, true],
    ["NotEquals", 1.0, 2.0, true],
    ["NotEquals", true, true, false],
    ["NotEquals", false, true, true],
    ["NotEquals", "1Gi", "10Gi", true],
    ["NotEquals", "1Gi", "1024Mi", false],
    ["NotEquals", "1h", "5h", true],
    ["NotEquals", "1h", "30m", true],
    ["NotEquals", "string", 1, true],
    ["NotEquals", 1, "2", true],
    ["NotEquals", 1.0, "2.0", true],
    ["NotEquals", true, "false", true],
    ["NotEquals", false, "true", true],
    ["NotEquals", { foo: "bar" }, { bar: "foo" }, true],
    ["NotEquals", ["foo", "bar"], ["bar", "foo"], true],
    ["NotEquals", [{ foo: "bar" }], [{ bar: "foo" }], true],
    ["NotEquals", "1h", 3600, false],
    ["NotEquals", "2h", 3600, true],
    ["NotEquals", "1.5.2", "1.5.5", true],
    ["NotEquals", "1.5.2", "1.5.*", false],
    ["NotEquals", "1.5.0", "1.5.0", false],
    // Greater Than
    ["GreaterThan", 10, 1, true],
    ["GreaterThan", 1.5, 1.0, true],
    ["GreaterThan", 1.5, 1, true],
    ["GreaterThan", 1, 10, false],
    ["GreaterThan", 1.0, 1.5, false],
    ["GreaterThan", 1, 1.5, false],
    ["GreaterThan", 1, 1, false],
    ["GreaterThan", 1.0, 1.0, false],
    ["GreaterThan", "1025", "1Ki", true],
    ["GreaterThan", "1Ki", "1023", true],
    ["GreaterThan", "10Gi", "1Gi", true],
    ["GreaterThan", "1Gi", "1Mi", true],
    ["GreaterThan", "1Gi", "10Gi", false],
    ["GreaterThan", "10Mi", "10Mi", false],
    ["GreaterThan", "10h", "1h", true],
    ["GreaterThan", "1h", "30m", true],
    ["GreaterThan", "1h", "1h", false],
    ["GreaterThan", "1Gi", "1Gi", false],
    ["GreaterThan", "10", 1, true],
    ["GreaterThan", 100, "10", true],
    ["GreaterThan", "100", "10", true],
    ["GreaterThan", "10", "10", false],
    ["GreaterThan", "1", "10", false],
    ["GreaterThan", "1", 10, false],
    ["GreaterThan", 1, "10", false],
    ["GreaterThan", "1h", 3600, false],
    ["GreaterThan", "2h", 3600, true],
    ["GreaterThan", 3600, "1h", false],
    ["GreaterThan", 3600, "30m", true],
    ["GreaterThan", -5, 1, false],
    ["GreaterThan", -5, -10, true],
    ["GreaterThan", 1, -10, true],
    ["GreaterThan", "1.5.5", "1.5.0", true],
    ["GreaterThan", "1.5.0", "1.5.5", false],
    // Less Than
    ["LessThan", 10, 1, false],
    ["LessThan", 1.5, 1.0, false],
    ["LessThan", 1.5, 1, false],
    ["LessThan", 1, 10, true],
    ["LessThan", 1.0, 1.5, true],
    ["LessThan", 1, 1.5, true],
    ["LessThan", 1, 1, false],
    ["LessThan", 1.0, 1.0, false],
    ["LessThan", "1023", "1Ki", true],
    ["LessThan", "1Ki", "1025", true],
    ["LessThan", "10Gi", "1Gi", false],
    ["LessThan", "1Gi", "10Gi", true],
    ["LessThan", "1Gi", "1Mi", false],
    ["LessThan", "1Mi", "1Gi", true],
    ["LessThan", "10h", "1h", false],
    ["LessThan", "1h", "30m", false],
    ["LessThan", "1h", "1h", false],
    ["LessThan", "1Gi", "1Gi", false],
    ["LessThan", "10", 1, false],
    ["LessThan", 100, "10", false],
    ["LessThan", "100", "10", false],
    ["LessThan", "10", "10", false],
    ["LessThan", "1", "10", true],
    ["LessThan", "1", 10, true],
    ["LessThan", 1, "10", true],
    ["LessThan", "1h", 3600, false],
    ["LessThan", "30m", 3600, true],
    ["LessThan", 3600, "1h", false],
    ["LessThan", 3600, "30m", false],
    ["LessThan", -5, 1, true],
    ["LessThan", -5, -10, false],
    ["LessThan", 1, -10, false],
    ["LessThan", "1.5.5", "1.5.0", false],
    ["LessThan", "1.5.0", "1.5.5", true],
    // Greater Than or Equal
    ["GreaterThanOrEquals", 10, 1, true],
    ["GreaterThanOrEquals", 1.5, 1.0, true],
    ["GreaterThanOrEquals", 1.5, 1, true],
    ["GreaterThanOrEquals", 1, 10, false],
    ["GreaterThanOrEquals", 1.0, 1.5, false],
    ["GreaterThanOrEquals", 1, 1.5, false],
    ["GreaterThanOrEquals", 1, 1, true],
    ["GreaterThanOrEquals", 1.0, 1.0, true],
    ["GreaterThanOrEquals", "1025", "1Ki", true],
    ["GreaterThanOrEquals", "1024", "1Ki", true],
    ["GreaterThanOrEquals", "1Ki", "1023", true],
    ["GreaterThanOrEquals", "1Ki", "1024", true],
    ["GreaterThanOrEquals", "10Gi", "1Gi", true],
    ["GreaterThanOrEquals", "1Gi", "1Mi", true],
    ["GreaterThanOrEquals", "1Gi", "10Gi", false],
    ["GreaterThanOrEquals", "10h", "1h", true],
    ["GreaterThanOrEquals", "1h", "30m", true],
    ["GreaterThanOrEquals", "1h", "1h", true],
    ["GreaterThanOrEquals", "1Gi", "1Gi", true],
    ["GreaterThanOrEquals", "10", 1, true],
    ["GreaterThanOrEquals", 100, "10", true],
    ["GreaterThanOrEquals", "100", "10", true],
    ["GreaterThanOrEquals", "10", "10", true],
    ["GreaterThanOrEquals", "1", "10", false],
    ["GreaterThanOrEquals", "1", 10, false],
    ["GreaterThanOrEquals", 1, "10", false],
    ["GreaterThanOrEquals", "1h", 3600, true],
    ["GreaterThanOrEquals", "2h", 3600, true],
    ["GreaterThanOrEquals", "1.5.5", "1.5.5", true],
    ["GreaterThanOrEquals", "1.5.5", "1.5.0", true],
    ["GreaterThanOrEquals", "1.5.0", "1.5.5", false],
    // Less Than or Equal
    ["LessThanOrEquals", 10, 1, false],
    ["LessThanOrEquals", 1.5, 1.0, false],
    ["LessThanOrEquals", 1.5, 1, false],
    ["LessThanOrEquals", 1, 10, true],
    ["LessThanOrEquals", 1.0, 1.5, true],
    ["LessThanOrEquals", 1, 1.5, true],
    ["LessThanOrEquals", 1, 1, true],
    ["LessThanOrEquals", 1.0, 1.0, true],
    ["LessThanOrEquals", "1Ki", "1024", true],
    ["LessThanOrEquals", "1024", "1Ki", true],
    ["LessThanOrEquals", "1Ki", "1025", true],
    ["LessThanOrEquals", "1023", "1Ki", true],
    ["LessThanOrEquals", "10Gi", "1Gi", false],
    ["LessThanOrEquals", "1Gi", "10Gi", true],
    ["LessThanOrEquals", "1Gi", "1Mi", false],
    ["LessThanOrEquals", "1Mi", "1Gi", true],
    ["LessThanOrEquals", "10h", "1h", false],
    ["LessThanOrEquals", "1h", "30m", false],
    ["LessThanOrEquals", "1h", "1h", true],
    ["LessThanOrEquals", "1Gi", "1Gi", true],
    ["LessThanOrEquals", "10", 1, false],
    ["LessThanOrEquals", 100, "10", false],
    ["LessThanOrEquals", "100", "10", false],
    ["LessThanOrEquals", "10", "10", true],
    ["LessThanOrEquals", "1", "10", true],
    ["LessThanOrEquals", "1", 10, true],
    ["LessThanOrEquals", 1, "10", true],
    ["LessThanOrEquals", "1h", 3600, true],
    ["LessThanOrEquals", "2h", 3600, false],
    ["LessThanOrEquals", "1.5.5", "1.5.5", true],
    ["LessThanOrEquals", "1.5.0", "1.5.5", true],
    ["LessThanOrEquals", "1.5.5", "1.5.0", false],
    // In
    ["In", 1, [1, 2, 3], true],
    ["In", 1.5, [1, 1.5, 2, 3], true],
    ["In", "1", ["1", "2", "3"], true],
    ["In", ["1.1.1.1", "2.2.2.2"], IPS, true],
    ["In", 5, [1, 2, 3], false],
    ["In", 5.5, [1, 1.5, 2, 3], false],
    ["In", "5", ["1", "2", "3"], false],
    ["In", "1.1.1.1", ["1*"], true],
    ["In", ["1.1.1.1", "4.4.4.4"], IPS, false],
    // Not In
    ["NotIn", 1, [1, 2, 3], false],
    ["NotIn", 1.5, [1, 1.5, 2, 3], false],
    ["NotIn", "1", ["1", "2", "3"], false],
    ["NotIn", ["1.1.1.1", "2.2.2.2"], IPS, false],
    ["NotIn", 5, [1, 2, 3], true],
    ["NotIn", 5.5, [1, 1.5, 2, 3], true],
    ["NotIn", "5", ["1", "2", "3"], true],
    ["NotIn", ["1.1.1.1", "4.4.4.4"], IPS, true],
    // Any In
    ["AnyIn", ["1.1.1.1", "5.5.5.5"], IPS, true],
    ["AnyIn", ["1.1.1.1", "5.5.5.5"], "1.1.1.1", true],
    ["AnyIn", ["4.4.4.4", "5.5.5.5"], IPS, false],
    ["AnyIn", ["1.1.1.1", "5.5.5.5"], ["1.1.1.1"], true],
    ["AnyIn", [1, 2], [1, 2, 3, 4], true],
    ["AnyIn", [1, 5], [1, 2, 3, 4], true],
    ["AnyIn", [5], [1, 2, 3, 4], false],
    ["AnyIn", ["1*"], IPS, true],
    ["AnyIn", ["5*"], IPS, false],
    ["AnyIn", ["1.1.1.1", "2.2.2.2", "5.5.5.5"], ["2*"], true],
    ["AnyIn", ["1.1.1.1", "2.2.2.2", "5.5.5.5"], ["4*"], false],
    ["AnyIn", ["5"], "1-3", false],
    ["AnyIn", "1.1.1.1", ["1*"], true],
    ["AnyIn", "5", "1-10", true],
    ["AnyIn", 5, "1-10", true],
    ["AnyIn", [1, 5], "7-10", false],
    ["AnyIn", [1, 5], "0-10", true],
    ["AnyIn", [1.002, 1.222], "1.001-10", true],
    // All In
    ["AllIn", ["1.1.1.1", "2.2.2.2"], IPS, true],
    ["AllIn", ["1.1.1.1", "5.5.5.5"], IPS, false],
    ["AllIn", ["4.4.4.4", "5.5.5.5"], IPS, false],
    ["AllIn", ["1.1.1.1", "5.5.5.5"], ["1.1.1.1"], false],
    ["AllIn", [1, 2], [1, 2, 3, 4], true],
    ["AllIn", [1, 5], [1, 2, 3, 4], false],
    ["AllIn", [5], [1, 2, 3, 4], false],
    ["AllIn", ["1*"], IPS, true],
    ["AllIn", ["5*"], IPS, false],
    ["AllIn", ["2.1.1.1", "2.2.2.2", "2.5.5.5"], ["2*"], true],
    ["AllIn", ["1.1.1.1", "2.2.2.2", "5.5.5.5"], ["4*"], false],
    ["AllIn", ["1.1.1.1", "5.5.5.5"], "5.5.5.5", false],
    ["AllIn", 5, "1-10", true],
    ["AllIn", [3, 2], "1-10", true],
    ["AllIn", [3, 2], "5-10", false],
    // All Not In
    ["AllNotIn", 1, [1, 2, 3], false],
    ["AllNotIn", 1.5, [1, 1.5, 2, 3], false],
    ["AllNotIn", "1", ["1", "2", "3"], false],
    ["AllNotIn", ["1.1.1.1", "2.2.2.2"], IPS, false],
    ["AllNotIn", 5, [1, 2, 3], true],
    ["AllNotIn", 5.5, [1, 1.5, 2, 3], true],
    ["AllNotIn", "5", ["1", "2", "3"], true],
    ["AllNotIn", ["1.1.1.1", "4.4.4.4"], IPS, false],
    ["AllNotIn", ["1.1.1.1", "4.4.4.4"], [...IPS, "1.1.1.1"], false],
    ["AllNotIn", ["1.1.1.1", "4.4.4.4", "1.1.1.1"], [...IPS, "1.1.1.1", "4.4.4.4"], false],
    ["AllNotIn", ["5.5.5.5", "4.4.4.4"], IPS, true],
    ["AllNotIn", ["7*", "6*", "5*"], IPS, true],
    ["AllNotIn", ["1*", "2*"], IPS, false],
    ["AllNotIn", ["1.1.1.1", "3.3.3.3", "5.5.5.5"], ["2*"], true],
    ["AllNotIn", ["4.1.1.1", "4.2.2.2", "4.5.5.5"], ["4*"], false],
    ["AllNotIn", ["1.1.1.1", "4.4.4.4"], "2.2.2.2", true],
    ["AllNotIn", 5.5, "6-10", true],
    ["AllNotIn", "5", "1-6", false],
    ["AllNotIn", [3, 2], "5-10", true],
    ["AllNotIn", [2, 6], "5-10", false],
    // Any Not In
    ["AnyNotIn", 1, [1, 2, 3], false],
    ["AnyNotIn", 1.5, [1, 1.5, 2, 3], false],
    ["AnyNotIn", "1", ["1", "2", "3"], false],
    ["AnyNotIn", ["1.1.1.1", "2.2.2.2"], IPS, false],
    ["AnyNotIn", 5, [1, 2, 3], true],
    ["AnyNotIn", 5.5, [1, 1.5, 2, 3], true],
    ["AnyNotIn", "5", ["1", "2", "3"], true],
    ["AnyNotIn", ["1.1.1.1", "4.4.4.4"], IPS, true],
    ["AnyNotIn", ["5.5.5.5", "4.4.4.4"], "4.4.4.4", true],
    ["AnyNotIn", ["5.5.5.5", "4.4.4.4"], IPS, true],
    ["AnyNotIn", ["1*", "3*", "5*"], IPS, true],
    ["AnyNotIn", ["1.1.1.1", "2.2.2.2", "5.5.5.5"], ["2*"], true],
    ["AnyNotIn", ["2.2*"], ["2.2.2.2"], false],
    ["AnyNotIn", "5", "1-3", true],
    ["AnyNotIn", [1, 5, 11], "0-10", true],
    ["AnyNotIn", [1, 5, 7], "0-10", false],
  ])("%s %j %j is %s", (...c) => expectOperator(c));
});

describe("handler tests (pkg/engine/variables/operator/*_test.go)", () => {
  it.each<Case>([
    // equal_test.go
    ["Equals", true, "true", false],
    ["Equals", 42, 42.5, false],
    ["Equals", 42, "42", true],
    ["Equals", 42, "invalid", false],
    ["Equals", 3.14, "3.14", true],
    ["Equals", 3.14, "invalid", false],
    ["Equals", "hello-world", "hello-*", true],
    ["Equals", "goodbye-world", "hello-*", false],
    ["Equals", "hello", 123, false],
    ["Equals", "100Mi", "100Mi", true],
    ["Equals", "100Mi", "200Mi", false],
    ["Equals", { foo: "bar" }, "not a map", false],
    ["Equals", ["a", "b", "c"], ["a", "b"], false],
    ["Equals", ["a", "b", "c"], "not a slice", false],
    ["Equals", null, null, false],
    // notequal_test.go
    ["NotEquals", 42, 43, true],
    ["NotEquals", 5, 5.5, true],
    ["NotEquals", 3.14, 2.71, true],
    ["NotEquals", "hello", "world", true],
    ["NotEquals", "100Mi", "not-a-quantity", true],
    ["NotEquals", { foo: "bar" }, { foo: "baz" }, true],
    ["NotEquals", ["a", "b"], ["a", "c"], true],
    ["NotEquals", "5", 5, false],
    ["NotEquals", "5", 6, true],
    // anyin_test.go
    ["AnyIn", "kyverno", "kyverno", true],
    ["AnyIn", "kube-system", ["default", "kube-*"], true],
    ["AnyIn", "kyverno", "default", false],
    ["AnyIn", 64, "64", true],
    ["AnyIn", 1, [1, 2, 3], true],
    ["AnyIn", 64, "default", false],
    ["AnyIn", 3.14, "3.14", true],
    ["AnyIn", 2.2, [1.1, 2.2, 3.3], true],
    ["AnyIn", true, "true", true],
    ["AnyIn", ["kube-system", "kube-public"], "kube-*", true],
    ["AnyIn", ["kube-system", "default"], "kube-system", true],
    ["AnyIn", ["default", "kyverno"], "kube-*", false],
    ["AnyIn", ["default", "kyverno"], ["kube-*", "ky*"], true],
    ["AnyIn", ["default", "kyverno"], ["kube-*", "kube-system"], false],
    ["AnyIn", [], ["default", "kyverno"], false],
    ["AnyIn", "", ["default", "kyverno"], false],
    ["AnyIn", { foo: "bar" }, "test", false],
    ["AnyIn", "5", "1-10", true],
    ["AnyIn", "0", "1-10", false],
    ["AnyIn", ["0", "5"], "1-10", true],
    ["AnyIn", ["0", "20"], "1-10", false],
    ["AnyIn", "apple", '["apple", "banana"]', true],
    ["AnyIn", "cherry", '["apple", "banana"]', false],
    ["AnyIn", ["apple", "cherry"], '["apple", "banana"]', true],
    ["AnyIn", ["cherry", "date"], '["apple", "banana"]', false],
    // anynotin_test.go
    ["AnyNotIn", "kyverno", "kyverno", false],
    ["AnyNotIn", "kube-system", ["default", "kube-*"], false],
    ["AnyNotIn", "kyverno", "default", true],
    ["AnyNotIn", 64, "64", false],
    ["AnyNotIn", 1, [1, 2, 3], false],
    ["AnyNotIn", 64, "default", true],
    ["AnyNotIn", 3.14, "3.14", false],
    ["AnyNotIn", 2.2, [1.1, 2.2, 3.3], false],
    ["AnyNotIn", 3.14, "default", true],
    ["AnyNotIn", true, true, false],
    ["AnyNotIn", ["kube-system", "kube-public"], "kube-*", false],
    ["AnyNotIn", ["kube-system", "default"], "kube-system", true],
    ["AnyNotIn", ["default", "kyverno"], "kube-*", true],
    ["AnyNotIn", [1, 2, 3], 2, true],
    ["AnyNotIn", [1, 2, 3], 4, true],
    ["AnyNotIn", [1.1, 2.2, 3.3], 1.1, true],
    ["AnyNotIn", [1.1, 2.2, 3.3], 4.4, true],
    ["AnyNotIn", [true, false], true, true],
    ["AnyNotIn", [true], false, true],
    ["AnyNotIn", ["default", "kyverno"], ["kube-*", "kube-system"], true],
    ["AnyNotIn", ["default", "kyverno"], ["kube-*", "ky*"], true],
    ["AnyNotIn", [], ["default", "kyverno"], false],
    ["AnyNotIn", "", ["default", "kyverno"], true],
    // allnotin_test.go
    ["AllNotIn", "kyverno", "kyverno", false],
    ["AllNotIn", "kube-system", ["default", "kube-*"], false],
    ["AllNotIn", "kyverno", "default", true],
    ["AllNotIn", 64, "64", false],
    ["AllNotIn", 64, "default", true],
    ["AllNotIn", ["kube-system", "kube-public"], "kube-*", false],
    ["AllNotIn", ["kube-system", "default"], "kube-system", false],
    ["AllNotIn", ["default", "kyverno"], "kube-*", true],
    ["AllNotIn", ["default", "kyverno"], ["kube-*", "kube-system"], true],
    ["AllNotIn", ["default", "kyverno"], ["kube-*", "ky*"], false],
    // numeric_test.go (Evaluate)
    ["GreaterThan", 10, 5, true],
    ["GreaterThan", 25, 20.5, true],
    ["GreaterThan", 30, "25", true],
    ["GreaterThan", 10, "5.5", true],
    ["LessThan", 5, 10, true],
    ["LessThan", 100, 50, false],
    ["GreaterThanOrEquals", 10.5, 10, true],
    ["GreaterThanOrEquals", 3.14, 3.14, true],
    ["GreaterThanOrEquals", 5.5, "4.5", true],
    ["GreaterThanOrEquals", 2.5, 5.0, false],
    ["GreaterThan", "10.5", 10, true],
    ["GreaterThan", "100", 50, true],
    ["GreaterThan", "25.5", "20.0", true],
    ["GreaterThan", "200m", "100m", true],
    ["GreaterThan", "100m", "200m", false],
    ["GreaterThan", "1Gi", "500Mi", true],
    ["LessThan", "256Mi", "1Gi", true],
    ["GreaterThanOrEquals", "500m", "500m", true],
    ["LessThanOrEquals", "2Gi", "2Gi", true],
    ["GreaterThan", "1.2.0", "1.1.0", true],
    ["LessThan", "1.0.0", "2.0.0", true],
    ["GreaterThanOrEquals", "1.5.0", "1.5.0", true],
    ["LessThan", "2.0.0", "1.9.0", false],
    ["LessThanOrEquals", "0.9.0", "1.0.0", true],
    ["GreaterThan", "1.2.3", "1.2.2", true],
    ["LessThan", "1.1.0", "1.2.0", true],
    ["LessThan", "1.0.0-alpha", "1.0.0", true],
    ["GreaterThan", true, false, false],
    ["GreaterThan", { foo: "bar" }, "100", false],
    ["GreaterThan", ["a", "b"], "100", false],
    ["GreaterThan", null, "100", false],
    ["GreaterThan", 10, true, false],
    ["GreaterThan", 10, "not-a-number", false],
    // duration_test.go
    ["DurationGreaterThan", "2h", "1h", true],
    ["DurationGreaterThan", "1h", "2h", false],
    ["DurationGreaterThan", "1h", "1h", false],
    ["DurationGreaterThan", "60m", "1h", false],
    ["DurationGreaterThan", "61m", "1h", true],
    ["DurationGreaterThan", 120, 60, true],
    ["DurationGreaterThan", 60, 120, false],
    ["DurationGreaterThan", 3600, 1800, true],
    ["DurationGreaterThan", 120, "1m", true],
    ["DurationGreaterThan", 120.5, 60.5, true],
    ["DurationGreaterThan", 120.5, 60, true],
    ["DurationGreaterThan", 120.0, "1m", true],
    ["DurationGreaterThan", true, false, false],
    ["DurationGreaterThan", 120, "invalid", false],
    ["DurationGreaterThan", 120, true, false],
    ["DurationGreaterThan", "2m", 60, true],
    ["DurationGreaterThan", "invalid", 60, false],
    ["DurationGreaterThan", "1h", "invalid", false],
    ["DurationGreaterThan", "1h", true, false],
    ["DurationGreaterThanOrEquals", "2h", "1h", true],
    ["DurationGreaterThanOrEquals", "1h", "60m", true],
    ["DurationGreaterThanOrEquals", "30m", "1h", false],
    ["DurationGreaterThanOrEquals", 60, 60, true],
    ["DurationLessThan", "30m", "1h", true],
    ["DurationLessThan", "2h", "1h", false],
    ["DurationLessThan", "1h", "60m", false],
    ["DurationLessThan", 30, 60, true],
    ["DurationLessThanOrEquals", "30m", "1h", true],
    ["DurationLessThanOrEquals", "1h", "60m", true],
    ["DurationLessThanOrEquals", "2h", "1h", false],
    ["DurationLessThanOrEquals", 60, 60, true],
    // operator_test.go: operator names are matched case-insensitively
    ["EQUALS", "a", "a", true],
    ["equals", "a", "a", true],
    ["Equal", "a", "a", true],
    ["NotEqual", "a", "b", true],
  ])("%s %j %j is %s", (...c) => expectOperator(c));

  it("refuses an unknown operator (operator_test.go: UnsupportedOperator)", () => {
    expect(evaluateOperator("InvalidOp", 1, 1)).toEqual({ ok: false, error: "failed to create handler for condition operator: InvalidOp" });
    expect(evaluateOperator("Exists", "a", true).ok).toBe(false);
  });
});

describe("Kyverno's quirks, kept", () => {
  it.each<[string, ...Case]>([
    ["a numeric operator not spelt exactly finds a handler but is never true", "greaterthan", 10, 1, false],
    ["...also for LessThan", "LESSTHAN", 1, 10, false],
    ["...and for the Duration operators", "durationgreaterthan", "2h", "1h", false],
    ["a number key is not compared with a duration string by Equals", "Equals", 120, "2m", false],
    ["while a duration key is compared with a number of seconds", "Equals", "2m", 120, true],
    ["a number of seconds is truncated to whole seconds", "Equals", "1h", 3600.9, true],
    ["\"0\" is not a duration for parseDuration, but a quantity", "Equals", "0", "0", true],
    ["\"0s\" is a duration", "Equals", "0s", 0, true],
    ["Equals with a wildcard in the key is literal", "Equals", "a*", "abc", false],
    ["Equals takes the wildcard from the value", "Equals", "abc", "a*", true],
    ["a quantity key with a number value (NotEqual cross type)", "Equals", "1k", 1000, true],
    ["a quantity key never equals a non-quantity string", "Equals", "1", "1*", false],
    ["AnyIn: a JSON non-list string is an invalid type", "AnyIn", "6", "5", false],
    ["AnyNotIn: ... and so is false too", "AnyNotIn", "6", "5", false],
    ["AnyIn: a plain string is one value", "AnyIn", "b", "a,b", false],
    ["AnyIn: wildcards work both ways", "AnyIn", "kube-*", ["kube-system"], true],
    ["AnyNotIn with a range turns the first '-' into '!-'", "AnyNotIn", ["11"], "0-10", true],
    ["AllIn of an empty list is true", "AllIn", [], ["a"], true],
    ["AllNotIn of an empty list is true", "AllNotIn", [], ["a"], true],
    ["AllIn with a number value is an invalid type", "AllIn", ["1"], 1, false],
    ["AnyIn with a number value compares its text", "AnyIn", ["1"], 1, true],
    ["AnyNotIn does not take a bool key", "AnyNotIn", true, ["false"], false],
    ["AllIn takes a bool key", "AllIn", true, ["true"], true],
    ["In: a list value must be all strings for a list key", "In", ["1"], [1], false],
    ["In: a string value must be a JSON list", "In", "a", "b", false],
    ["In: exact membership for list keys", "In", ["1.1.1.1"], ["1*"], false],
    ["NotIn: a single-element list key equal to the string value counts as in (and so NotIn is true)", "NotIn", ["a"], "a", true],
    ["a float64 key prints as %v for In", "AnyIn", 1000000, ["1e+06"], true],
    ["semver needs three parts", "GreaterThan", "1.5", "1.4.0", false],
    ["semver without a leading v", "GreaterThan", "v1.5.0", "v1.4.0", false],
    ["semver prerelease ordering", "LessThan", "1.0.0-alpha.1", "1.0.0-alpha.beta", true],
    ["numbers in strings: ParseFloat accepts exponents", "GreaterThan", "1e3", 999, true],
    ["quantities before numbers: 1e3 and 1k", "GreaterThanOrEquals", "1e3", "1k", true],
    ["a null key never compares", "Equals", null, null, false],
    ["NotEquals with a null key is false", "NotEquals", null, "a", false],
  ])("%s", (_name, ...c) => expectOperator(c));

  it("In with a list key of non-strings is an error (a panic in Go)", () => {
    const result = evaluateOperator("In", [1, 2], [1, 2, 3]);
    expect(result.ok).toBe(false);
  });
});

describe("evaluateConditionBlock (evaluate.go, Test_Condition_Messages)", () => {
  const name = "temp";
  const foo = "bar";
  it("any: false when none is true, with every message", () => {
    const block = {
      any: [
        { key: name, operator: "Equal", value: "temp2", message: "invalid name" },
        { key: foo, operator: "Equal", value: "bar2", message: "invalid foo" },
      ],
    };
    expect(evaluateConditionBlock(block)).toEqual({ ok: true, value: false, failedMessage: "invalid name; invalid foo", message: "invalid name; invalid foo" });
  });

  it("any: true at the first true condition, with its message", () => {
    const block = {
      any: [
        { key: name, operator: "Equal", value: "temp", message: "invalid name" },
        { key: foo, operator: "Equal", value: "bar", message: "invalid foo" },
      ],
    };
    expect(evaluateConditionBlock(block)).toEqual({ ok: true, value: true, message: "invalid name" });
  });

  it("all: false at the first false condition", () => {
    const block = {
      any: [{ key: name, operator: "Equal", value: "temp", message: "invalid name" }],
      all: [
        { key: name, operator: "Equal", value: "temp", message: "invalid name" },
        { key: foo, operator: "Equal", value: "bar2", message: "invalid foo" },
      ],
    };
    expect(evaluateConditionBlock(block)).toMatchObject({ ok: true, value: false, failedMessage: "invalid foo" });
  });

  it("any and all both false: the messages of both", () => {
    const block = {
      any: [
        { key: name, operator: "Equal", value: "temp1", message: "invalid name" },
        { key: foo, operator: "Equal", value: "bar2", message: "invalid foo" },
      ],
      all: [
        { key: name, operator: "Equal", value: "temp", message: "invalid name" },
        { key: foo, operator: "Equal", value: "bar2", message: "invalid foo2" },
      ],
    };
    expect(evaluateConditionBlock(block)).toMatchObject({ ok: true, value: false, failedMessage: "invalid name; invalid foo; invalid foo2" });
  });

  it.each<[string, unknown, boolean]>([
    ["no block at all (deny: {}): true", undefined, true],
    ["null: true", null, true],
    ["an empty map: true", {}, true],
    ["any: [] is present and has no true condition", { any: [] }, false],
    ["all: [] is true", { all: [] }, true],
    ["any: null is absent", { any: null, all: [{ key: 1, operator: "Equals", value: 1 }] }, true],
    ["the deprecated list is an all", [{ key: 1, operator: "Equals", value: 1 }, { key: 1, operator: "Equals", value: 2 }], false],
    ["an empty deprecated list is true", [], true],
    // conformance: multiple_condition_keys (deny.conditions.any, NotIn with a list key)
    ["multiple_condition_keys: test-resource-fail", { any: [{ key: ["busybox-fail"], operator: "NotIn", value: ["busybox", "busybox1"] }] }, true],
    ["multiple_condition_keys: test-resource-pass", { any: [{ key: ["busybox"], operator: "NotIn", value: ["busybox", "busybox1"] }] }, false],
    // conformance: type (deny.conditions.all after JMESPath: type(), abs(), a comparison)
    ["type: testcase-1", { all: [{ key: "number", operator: "NotEquals", value: "number" }] }, false],
    ["type: testcase-2", { all: [{ key: 2, operator: "NotEquals", value: 2 }] }, false],
    ["type: testcase-3", { all: [{ key: true, operator: "NotEquals", value: true }] }, false],
    // conformance: preconditions (preconditions.any)
    ["preconditions: app label busybox", { any: [{ key: "busybox", operator: "Equals", value: "busybox" }] }, true],
    // conformance: default_value_to_create (preconditions.all)
    ["default_value_to_create: CREATE AllIn [CREATE, UPDATE]", { all: [{ key: "CREATE", operator: "AllIn", value: ["CREATE", "UPDATE"] }] }, true],
    // conformance: multiple-validate-rules (foreach deny.conditions.all on element.port)
    ["multiple-validate-rules: port 22", { all: [{ key: 22, operator: "AnyNotIn", value: [22, 80, 443] }] }, false],
    ["multiple-validate-rules: port 8080", { all: [{ key: 8080, operator: "AnyNotIn", value: [22, 80, 443] }] }, true],
    // conformance: simple (deprecated list, durations)
    ["simple: lifetime 24h GreaterThan 8h", [{ key: "24h", operator: "GreaterThan", value: "8h" }], true],
    ["simple: lifetime 24h LessThan 8h", [{ key: "24h", operator: "LessThan", value: "8h" }], false],
    ["simple: lifetime 24h GreaterThanOrEquals 8h", [{ key: "24h", operator: "GreaterThanOrEquals", value: "8h" }], true],
    ["simple: lifetime 24h LessThanOrEquals 8h", [{ key: "24h", operator: "LessThanOrEquals", value: "8h" }], false],
    // conformance: deny-modify-platform-label (preconditions.all)
    ["deny-modify-platform-label: UPDATE by a non-admin", { all: [{ key: "UPDATE", operator: "AnyIn", value: ["UPDATE", "DELETE"] }, { key: ["system:authenticated"], operator: "AllNotIn", value: ["system:masters"] }] }, true],
    ["deny-modify-platform-label: UPDATE by an admin", { all: [{ key: "UPDATE", operator: "AnyIn", value: ["UPDATE", "DELETE"] }, { key: ["system:masters", "system:authenticated"], operator: "AllNotIn", value: ["system:masters"] }] }, false],
  ])("%s", (_name, block, want) => {
    const result = evaluateConditionBlock(block);
    expect(result.ok && result.value).toBe(want);
    expect(result.ok).toBe(true);
  });

  it("the deprecated list joins true messages with ';' and stops at the first false", () => {
    expect(evaluateConditionBlock([{ key: 1, operator: "Equals", value: 1, message: "a" }, { key: 2, operator: "Equals", value: 2, message: "b" }])).toEqual({ ok: true, value: true, message: "a;b" });
    expect(evaluateConditionBlock([{ key: 1, operator: "Equals", value: 2, message: "a" }, { key: 2, operator: "Equals", value: 3, message: "b" }])).toMatchObject({ value: false, failedMessage: "a" });
  });

  it.each<[string, unknown, string]>([
    ["the deprecated list checks operator names as written", [{ key: 1, operator: "equals", value: 1 }], "invalid condition operator: equals"],
    ["an unknown operator in an any block", { any: [{ key: 1, operator: "Bogus", value: 1 }] }, "failed to create handler for condition operator: Bogus"],
    ["an unknown field", { any: [], none: [] }, "unknown field 'none' found under preconditions/validate.deny.conditions"],
    ["a scalar block", "x", "error occurred while parsing preconditions/validate.deny.conditions"],
    ["a list of scalars", { all: ["x"] }, "error occurred while parsing preconditions/validate.deny.conditions"],
  ])("%s is an error", (_name, block, message) => {
    const result = evaluateConditionBlock(block);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toContain(message);
  });

  it("any/all blocks accept operator names in any case", () => {
    expect(evaluateConditionBlock({ all: [{ key: "a", operator: "equals", value: "a" }] })).toEqual({ ok: true, value: true });
  });

  it("an error inside the all block stops the evaluation", () => {
    expect(evaluateConditionBlock({ all: [{ key: 1, operator: "Equals", value: 2 }, { key: [1], operator: "In", value: [1] }] })).toEqual({ ok: true, value: false });
    expect(evaluateConditionBlock({ all: [{ key: [1], operator: "In", value: [1] }] }).ok).toBe(false);
  });
});
