// JUnit XML for test widgets (GitLab merge requests, CI test tabs): a suite per environment.
import type { EnvironmentResult, Finding, RunReport } from "../model.ts";
import { countsText, describeFinding, STATUS_WORDS } from "./common.ts";

export function renderJunit(report: RunReport): string {
  const suites = report.environments.map((result) => environmentSuite(result));
  if (report.findings.length > 0) suites.unshift(findingSuite("gitops-verify", report.findings));
  const tests = suites.reduce((sum, suite) => sum + suite.tests, 0);
  const failures = suites.reduce((sum, suite) => sum + suite.failures, 0);
  const seconds = (report.durationMs / 1000).toFixed(3);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="gitops-verify" tests="${tests}" failures="${failures}" errors="0" time="${seconds}">`,
    ...suites.map((suite) => suite.xml),
    "</testsuites>",
    "",
  ].join("\n");
}

interface Suite {
  xml: string;
  tests: number;
  failures: number;
}

function environmentSuite(result: EnvironmentResult): Suite {
  const name = result.environment.name;
  const render =
    result.status === "failed"
      ? testcase(name, "renders", failure(result.findings.map(describeFinding).join("\n") || "did not render"))
      : result.status === "skipped"
        ? testcase(name, "renders", skipped(result.findings.map((finding) => finding.message).join("; ") || "not rendered"))
        : testcase(name, "renders", "", systemOut(`${STATUS_WORDS[result.status]}${result.status === "unaffected" ? "" : ` (${countsText(result)})`}`));
  const findings = result.status === "failed" ? [] : result.findings;
  const cases = [render, ...findings.map((finding) => findingCase(name, finding))];
  const failures = (result.status === "failed" ? 1 : 0) + findings.filter((finding) => finding.severity === "error").length;
  return {
    tests: cases.length,
    failures,
    xml: `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${failures}" errors="0"${result.status === "skipped" ? ' skipped="1"' : ""}>\n${cases.join("\n")}\n  </testsuite>`,
  };
}

function findingSuite(name: string, findings: Finding[]): Suite {
  const cases = findings.map((finding) => findingCase(name, finding));
  const failures = findings.filter((finding) => finding.severity === "error").length;
  return {
    tests: cases.length,
    failures,
    xml: `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${failures}" errors="0">\n${cases.join("\n")}\n  </testsuite>`,
  };
}

function findingCase(suite: string, finding: Finding): string {
  const where = finding.location ? ` ${finding.location.file}${finding.location.line ? `:${finding.location.line}` : ""}` : "";
  const name = `${finding.ruleId}${where}`;
  return finding.severity === "error" ? testcase(suite, name, failure(describeFinding(finding))) : testcase(suite, name, "", systemOut(`${finding.severity}: ${describeFinding(finding)}`));
}

function testcase(classname: string, name: string, failureXml: string, outXml = ""): string {
  const body = `${failureXml}${outXml}`;
  const open = `    <testcase classname="${escape(classname)}" name="${escape(name)}"`;
  return body ? `${open}>\n${body}\n    </testcase>` : `${open}/>`;
}

function failure(message: string): string {
  const first = message.split("\n")[0] ?? "";
  return `      <failure message="${escape(first)}" type="gitops-verify">${escape(message)}</failure>`;
}

/** An environment that cannot be rendered here: the test runner shows it as skipped, with the reason. */
function skipped(message: string): string {
  return `      <skipped message="${escape(message)}"/>`;
}

function systemOut(text: string): string {
  return `      <system-out>${escape(text)}</system-out>`;
}

/** XML escaping, and removal of characters XML 1.0 cannot carry. */
function escape(text: string): string {
  return text
    .replace(/[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
