// A stand-in for GitHub's REST API on 127.0.0.1, speaking its wire format for the endpoints gitops-verify uses.
// No real GitHub can be reached from here: tests talk real HTTP to this server instead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  path: string;
  body: Record<string, unknown>;
  authorization?: string;
}

interface Failure {
  method: string;
  path: RegExp;
  status: number;
  times: number;
  headers?: Record<string, string>;
  body?: unknown;
}

export interface Comment {
  id: number;
  body: string;
  html_url: string;
}

/** A pull request as GitHub returns it (the fields gitops-verify reads). */
export interface Pull {
  number: number;
  title: string;
  body: string;
  state: "open" | "closed";
  html_url: string;
  head: { ref: string; label: string };
  base: { ref: string };
}

/** An issue as GitHub returns it (the fields gitops-verify reads, and a few more). */
export interface Issue {
  number: number;
  title: string;
  body: string | null;
  state: "open" | "closed";
  state_reason: "completed" | "not_planned" | "reopened" | null;
  html_url: string;
  labels: Array<{ id: number; name: string; color: string; default: boolean; description: string | null }>;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  /** Only on pull requests: GitHub's issues endpoints list them too, with this key. */
  pull_request?: { url: string; html_url: string };
}

export class FakeGitHub {
  readonly requests: RecordedRequest[] = [];
  /** Pull requests by number, as promotion opens and updates them. */
  readonly pulls = new Map<number, Pull>();
  readonly comments = new Map<number, Comment[]>();
  readonly checkRuns = new Map<number, { name: string; head_sha: string; conclusion: string; output: { title: string; summary: string; annotations: unknown[] }; annotationCount: number }>();
  readonly statuses: Array<{ sha: string; state: string; context: string; description: string }> = [];
  /** GitHub's limit; tests may lower it to force a 422. */
  commentLimit = 65_536;
  /** Issues by number (drift tracking issues; tests may add pull requests as the issues endpoints show them). */
  readonly issues = new Map<number, Issue>();
  /** The repository's labels; GitHub creates a missing one when an issue is created with it. */
  readonly labels = new Set<string>();
  /** Tokens (as sent: "token X") that may read issues but not write them: 403 as GitHub answers without issues: write. */
  readonly readOnlyIssueTokens = new Set<string>();
  /** GitHub's limit on an issue body. */
  issueBodyLimit = 65_536;
  private readonly failures: Failure[] = [];
  private nextId = 1000;
  private server?: Server;

  /** The next `times` requests matching method and path fail with `status`. */
  failNext(method: string, path: RegExp, status: number, times = 1, headers?: Record<string, string>, body?: unknown): void {
    this.failures.push({ method, path, status, times, headers, body });
  }

  /** Adds an issue (or, with `pull_request`, a pull request as the issues endpoints list it), numbered like the rest. */
  addIssue(fields: Partial<Issue> & { title: string }): Issue {
    const number = fields.number ?? this.nextId++;
    const created = new Date(Date.UTC(2024, 0, 1) + number * 60_000).toISOString();
    const issue: Issue = {
      number,
      body: "",
      state: "open",
      state_reason: null,
      html_url: `https://github.example/acme/config/${fields.pull_request ? "pull" : "issues"}/${number}`,
      labels: [],
      created_at: created,
      updated_at: created,
      closed_at: null,
      ...fields,
    };
    this.issues.set(number, issue);
    return issue;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const url = new URL(request.url ?? "/", "http://127.0.0.1");
    const method = request.method ?? "GET";
    const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    this.requests.push({ method, path: url.pathname + url.search, body, authorization: request.headers.authorization });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...headers });
      response.end(JSON.stringify(payload));
    };

    const failure = this.failures.find((candidate) => candidate.method === method && candidate.path.test(url.pathname) && candidate.times > 0);
    if (failure) {
      failure.times--;
      send(failure.status, failure.body ?? { message: `injected ${failure.status}` }, failure.headers);
      return;
    }

    let match: RegExpExecArray | null;
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/pulls(?:\/(\d+))?$/.exec(url.pathname))) {
      const owner = match[1]!;
      if (method === "GET" && !match[3]) {
        // GitHub's filters: state (open by default) and head as "owner:branch"
        const state = url.searchParams.get("state") ?? "open";
        const head = url.searchParams.get("head");
        const list = [...this.pulls.values()].filter((pull) => (state === "all" || pull.state === state) && (!head || pull.head.label === head));
        return send(200, list);
      }
      if (method === "POST" && !match[3]) {
        const head = String(body.head);
        const label = head.includes(":") ? head : `${owner}:${head}`;
        if ([...this.pulls.values()].some((pull) => pull.state === "open" && pull.head.label === label)) {
          return send(422, { message: "Validation Failed", errors: [{ resource: "PullRequest", code: "custom", message: `A pull request already exists for ${label}.` }] });
        }
        const number = this.nextId++;
        const pull: Pull = { number, title: String(body.title), body: String(body.body ?? ""), state: "open", html_url: `https://github.example/${owner}/${match[2]}/pull/${number}`, head: { ref: label.split(":")[1]!, label }, base: { ref: String(body.base) } };
        this.pulls.set(number, pull);
        return send(201, pull);
      }
      if (method === "PATCH" && match[3]) {
        const pull = this.pulls.get(Number(match[3]));
        if (!pull) return send(404, { message: "Not Found" });
        if (typeof body.title === "string") pull.title = body.title;
        if (typeof body.body === "string") pull.body = body.body;
        if (body.state === "closed" || body.state === "open") pull.state = body.state;
        return send(200, pull);
      }
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(url.pathname))) {
      const issue = Number(match[3]);
      const list = this.comments.get(issue) ?? [];
      if (method === "GET") {
        const perPage = Number(url.searchParams.get("per_page") ?? 30);
        const page = Number(url.searchParams.get("page") ?? 1);
        return send(200, list.slice((page - 1) * perPage, page * perPage));
      }
      if (method === "POST") {
        if (String(body.body).length > this.commentLimit) return send(422, tooLong());
        const comment = { id: this.nextId++, body: String(body.body), html_url: `https://github.example/pull/${issue}#issuecomment-${this.nextId}` };
        this.comments.set(issue, [...list, comment]);
        return send(201, comment);
      }
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/.exec(url.pathname)) && method === "PATCH") {
      if (String(body.body).length > this.commentLimit) return send(422, tooLong());
      for (const list of this.comments.values()) {
        const comment = list.find((candidate) => candidate.id === Number(match![3]));
        if (comment) {
          comment.body = String(body.body);
          return send(200, comment);
        }
      }
      return send(404, { message: "Not Found" });
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/check-runs(?:\/(\d+))?$/.exec(url.pathname))) {
      const output = (body.output ?? {}) as { title: string; summary: string; annotations?: unknown[] };
      const annotations = output.annotations ?? [];
      if (annotations.length > 50) return send(422, { message: "Validation Failed", errors: ["only 50 annotations are allowed per request"] });
      if (String(output.summary ?? "").length > 65_535) return send(422, { message: "Validation Failed", errors: ["summary is too long"] });
      if (method === "POST") {
        const id = this.nextId++;
        this.checkRuns.set(id, { name: String(body.name), head_sha: String(body.head_sha), conclusion: String(body.conclusion), output: { ...output, annotations }, annotationCount: annotations.length });
        return send(201, { id, name: body.name, head_sha: body.head_sha });
      }
      if (method === "PATCH") {
        const run = this.checkRuns.get(Number(match[3]));
        if (!run) return send(404, { message: "Not Found" });
        run.annotationCount += annotations.length;
        return send(200, { id: Number(match[3]) });
      }
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/statuses\/([0-9a-f]+)$/.exec(url.pathname)) && method === "POST") {
      if (String(body.description ?? "").length > 140) return send(422, { message: "Validation Failed" });
      this.statuses.push({ sha: match[3]!, state: String(body.state), context: String(body.context), description: String(body.description) });
      return send(201, { id: this.nextId++, state: body.state });
    }
    if ((match = /^\/repos\/([^/]+)\/([^/]+)\/issues(?:\/(\d+))?$/.exec(url.pathname))) {
      return this.handleIssues(request, url, method, body, match, send);
    }
    send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }

  /** GET/POST /repos/{o}/{r}/issues, GET/PATCH /repos/{o}/{r}/issues/{n}, in GitHub's wire format. */
  private handleIssues(
    request: IncomingMessage,
    url: URL,
    method: string,
    body: Record<string, unknown>,
    match: RegExpExecArray,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const [owner, repo, number] = [match[1]!, match[2]!, match[3]];
    const now = new Date().toISOString();
    const docs = (anchor: string) => `https://docs.github.com/rest/issues/issues#${anchor}`;
    if (method !== "GET" && this.readOnlyIssueTokens.has(request.headers.authorization ?? "")) {
      return send(403, { message: "Resource not accessible by integration", documentation_url: docs(number ? "update-an-issue" : "create-an-issue"), status: "403" });
    }
    const invalid = (field: string, message: string) => send(422, { message: "Validation Failed", errors: [{ resource: "Issue", code: "custom", field, message }], documentation_url: docs("create-an-issue"), status: "422" });
    const labelObjects = (names: unknown) =>
      (Array.isArray(names) ? names : []).map((name) => {
        const label = typeof name === "string" ? name : String((name as { name?: unknown }).name);
        this.labels.add(label);
        return { id: [...this.labels].indexOf(label) + 1, name: label, color: "ededed", default: false, description: null };
      });
    if (method === "GET" && !number) {
      // state (open by default), labels (all of them), sort=created|updated (created), direction (desc), per_page (30, at most 100), page
      const state = url.searchParams.get("state") ?? "open";
      const wanted = (url.searchParams.get("labels") ?? "").split(",").filter((label) => label !== "");
      const key = url.searchParams.get("sort") === "updated" ? "updated_at" : "created_at";
      const ascending = url.searchParams.get("direction") === "asc";
      const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? 30));
      const page = Number(url.searchParams.get("page") ?? 1);
      const pulls = [...this.pulls.values()]
        .filter((pull) => !this.issues.has(pull.number))
        .map((pull): Issue => ({ number: pull.number, title: pull.title, body: pull.body, state: pull.state, state_reason: null, html_url: pull.html_url, labels: [], created_at: now, updated_at: now, closed_at: null, pull_request: { url: `https://api.github.example/repos/${owner}/${repo}/pulls/${pull.number}`, html_url: pull.html_url } }));
      const list = [...this.issues.values(), ...pulls]
        .filter((issue) => (state === "all" || issue.state === state) && wanted.every((label) => issue.labels.some((candidate) => candidate.name === label)))
        .sort((a, b) => (a[key] === b[key] ? a.number - b.number : a[key] < b[key] ? -1 : 1) * (ascending ? 1 : -1));
      const pages = Math.max(1, Math.ceil(list.length / perPage));
      const link = (target: number, rel: string) => {
        const next = new URL(url.pathname + url.search, `http://${request.headers.host ?? "127.0.0.1"}`);
        next.searchParams.set("page", String(target));
        return `<${next.toString()}>; rel="${rel}"`;
      };
      const links = [...(page < pages ? [link(page + 1, "next"), link(pages, "last")] : []), ...(page > 1 ? [link(1, "first"), link(page - 1, "prev")] : [])];
      return send(200, list.slice((page - 1) * perPage, page * perPage), links.length > 0 ? { link: links.join(", ") } : {});
    }
    if (method === "POST" && !number) {
      if (typeof body.title !== "string" || body.title === "") return send(422, { message: "Invalid request.\n\n\"title\" wasn't supplied.", documentation_url: docs("create-an-issue"), status: "422" });
      if (body.title.length > 256) return invalid("title", "title is too long (maximum is 256 characters)");
      if (typeof body.body === "string" && body.body.length > this.issueBodyLimit) return invalid("body", `body is too long (maximum is ${this.issueBodyLimit} characters)`);
      const issue = this.addIssue({ title: body.title, body: typeof body.body === "string" ? body.body : null, labels: labelObjects(body.labels), created_at: now, updated_at: now });
      issue.html_url = `https://github.example/${owner}/${repo}/issues/${issue.number}`;
      return send(201, issue, { location: `https://api.github.example/repos/${owner}/${repo}/issues/${issue.number}` });
    }
    const issue = number ? this.issues.get(Number(number)) : undefined;
    if (!issue) return send(404, { message: "Not Found", documentation_url: docs("get-an-issue"), status: "404" });
    if (method === "GET") return send(200, issue);
    if (method === "PATCH") {
      if (typeof body.title === "string" && body.title.length > 256) return invalid("title", "title is too long (maximum is 256 characters)");
      if (typeof body.body === "string" && body.body.length > this.issueBodyLimit) return invalid("body", `body is too long (maximum is ${this.issueBodyLimit} characters)`);
      if (typeof body.title === "string") issue.title = body.title;
      if (typeof body.body === "string" || body.body === null) issue.body = body.body;
      if (Array.isArray(body.labels)) issue.labels = labelObjects(body.labels);
      if (body.state === "closed" && issue.state === "open") {
        issue.state = "closed";
        issue.closed_at = now;
        issue.state_reason = body.state_reason === "not_planned" ? "not_planned" : "completed";
      } else if (body.state === "open" && issue.state === "closed") {
        issue.state = "open";
        issue.closed_at = null;
        issue.state_reason = "reopened";
      }
      issue.updated_at = now;
      return send(200, issue);
    }
    send(404, { message: "Not Found", documentation_url: "https://docs.github.com/rest" });
  }

  /** Everything gitops-verify sent, as one string: for checking that nothing secret left. */
  everythingSent(): string {
    return JSON.stringify(this.requests);
  }
}

function tooLong() {
  return { message: "Validation Failed", errors: [{ resource: "IssueComment", code: "unprocessable", field: "data", message: "Body is too long (maximum is 65536 characters)" }] };
}
