// A stand-in for GitLab's REST API (v4) on 127.0.0.1, for the merge request notes gitops-verify writes.
// No real GitLab can be reached from here: tests talk real HTTP to this server instead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface Note {
  id: number;
  body: string;
  system: boolean;
}

/** A merge request as GitLab returns it (the fields gitops-verify reads). */
export interface MergeRequest {
  iid: number;
  title: string;
  description: string;
  state: "opened" | "closed" | "merged";
  source_branch: string;
  target_branch: string;
  web_url: string;
}

/** An issue as GitLab returns it (the fields gitops-verify reads, and a few more). */
export interface Issue {
  id: number;
  iid: number;
  project_id: string;
  title: string;
  description: string | null;
  state: "opened" | "closed";
  labels: string[];
  web_url: string;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
}

export class FakeGitLab {
  readonly requests: Array<{ method: string; path: string; body: string; token?: string }> = [];
  /** Merge requests by project, as promotion opens and updates them. */
  readonly mergeRequests = new Map<string, MergeRequest[]>();
  readonly notes = new Map<string, Note[]>();
  /** Notes longer than this are refused with 400, as GitLab does past its limit. */
  noteLimit = 1_000_000;
  /** Issues by project, as the drift check opens, updates and closes them. */
  readonly issues = new Map<string, Issue[]>();
  /** Issue notes by "project#iid". */
  readonly issueNotes = new Map<string, Note[]>();
  /** Each project's labels; GitLab creates a missing one when an issue is created with it. */
  readonly labels = new Map<string, Set<string>>();
  /** Tokens with the read_api scope only: they may list issues, and writing answers 403 insufficient_scope. */
  readonly readOnlyTokens = new Set<string>();
  /** GitLab's limit on an issue description: 1 MB. */
  descriptionLimit = 1_048_576;
  private failures: Array<{ method: string; path: RegExp; status: number; times: number }> = [];
  private nextId = 500;
  private server?: Server;

  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
  }

  /** Adds an issue to a project, numbered (iid) after the project's others. */
  addIssue(project: string, fields: Partial<Issue> & { title: string }): Issue {
    const list = this.issues.get(project) ?? [];
    const iid = fields.iid ?? Math.max(0, ...list.map((issue) => issue.iid)) + 1;
    const created = new Date(Date.UTC(2024, 0, 1) + iid * 60_000).toISOString();
    const issue: Issue = {
      id: this.nextId++,
      iid,
      project_id: project,
      description: null,
      state: "opened",
      labels: [],
      web_url: `https://gitlab.example/${project}/-/issues/${iid}`,
      created_at: created,
      updated_at: created,
      closed_at: null,
      ...fields,
    };
    this.issues.set(project, [...list, issue]);
    return issue;
  }

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
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
    this.requests.push({ method, path: url.pathname + url.search, body: text, token: request.headers["private-token"] as string | undefined });
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
      response.writeHead(status, { "content-type": "application/json", ...headers });
      response.end(JSON.stringify(payload));
    };
    const failure = this.failures.find((f) => f.method === method && f.path.test(url.pathname) && f.times > 0);
    if (failure) {
      failure.times--;
      return send(failure.status, { message: `injected ${failure.status}` });
    }
    const bodyOf = () => {
      if (!text) return "";
      if ((request.headers["content-type"] ?? "").includes("json")) return String((JSON.parse(text) as { body?: unknown }).body ?? "");
      return new URLSearchParams(text).get("body") ?? "";
    };
    const fields = (): Record<string, unknown> => {
      if (!text) return Object.fromEntries(url.searchParams);
      if ((request.headers["content-type"] ?? "").includes("json")) return JSON.parse(text) as Record<string, unknown>;
      return Object.fromEntries(new URLSearchParams(text));
    };
    const requests = /^\/api\/v4\/projects\/([^/]+)\/merge_requests(?:\/(\d+))?$/.exec(url.pathname);
    if (requests) {
      const project = decodeURIComponent(requests[1]!);
      const list = this.mergeRequests.get(project) ?? [];
      if (method === "GET" && !requests[2]) {
        const state = url.searchParams.get("state");
        const source = url.searchParams.get("source_branch");
        return send(200, list.filter((mr) => (!state || state === "all" || mr.state === state) && (!source || mr.source_branch === source)), { "x-page": "1", "x-total-pages": "1", "x-next-page": "" });
      }
      const given = fields();
      if (method === "POST" && !requests[2]) {
        const source = String(given.source_branch);
        if (list.some((mr) => mr.state === "opened" && mr.source_branch === source)) {
          return send(409, { message: [`Another open merge request already exists for this source branch: !${list.find((mr) => mr.source_branch === source)!.iid}`] });
        }
        const iid = list.length + 1;
        const mr: MergeRequest = { iid, title: String(given.title), description: String(given.description ?? ""), state: "opened", source_branch: source, target_branch: String(given.target_branch), web_url: `https://gitlab.example/${project}/-/merge_requests/${iid}` };
        this.mergeRequests.set(project, [...list, mr]);
        return send(201, mr);
      }
      if (method === "PUT" && requests[2]) {
        const mr = list.find((candidate) => candidate.iid === Number(requests[2]));
        if (!mr) return send(404, { message: "404 Not found" });
        if (typeof given.title === "string") mr.title = given.title;
        if (typeof given.description === "string") mr.description = given.description;
        return send(200, mr);
      }
      return send(405, { message: "405 Method Not Allowed" });
    }
    const issuePath = /^\/api\/v4\/projects\/([^/]+)\/issues(?:\/(\d+)(\/notes)?)?$/.exec(url.pathname);
    if (issuePath) return this.handleIssues(request, url, method, fields(), issuePath, send);
    const match = /^\/api\/v4\/projects\/([^/]+)\/merge_requests\/(\d+)\/notes(?:\/(\d+))?$/.exec(url.pathname);
    if (!match) return send(404, { message: "404 Not Found" });
    const key = `${decodeURIComponent(match[1]!)}!${match[2]}`;
    const list = this.notes.get(key) ?? [];
    if (method === "GET" && !match[3]) {
      const perPage = Number(url.searchParams.get("per_page") ?? 20);
      const page = Number(url.searchParams.get("page") ?? 1);
      const pages = Math.max(1, Math.ceil(list.length / perPage));
      return send(200, list.slice((page - 1) * perPage, page * perPage), {
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-total": String(list.length),
        "x-total-pages": String(pages),
        "x-next-page": page < pages ? String(page + 1) : "",
      });
    }
    const body = bodyOf();
    if (body.length > this.noteLimit) return send(400, { message: { note: ["is too long (maximum is 1000000 characters)"] } });
    if (method === "POST" && !match[3]) {
      const note = { id: this.nextId++, body, system: false };
      this.notes.set(key, [...list, note]);
      return send(201, note);
    }
    if (method === "PUT" && match[3]) {
      const note = list.find((candidate) => candidate.id === Number(match[3]));
      if (!note) return send(404, { message: "404 Not found" });
      note.body = body;
      return send(200, note);
    }
    send(405, { message: "405 Method Not Allowed" });
  }

  /**
   * GET/POST /api/v4/projects/{id}/issues, GET/PUT /api/v4/projects/{id}/issues/{iid} and GET/POST
   * .../issues/{iid}/notes, in GitLab's wire format (offset pagination headers and Link included).
   */
  private handleIssues(
    request: IncomingMessage,
    url: URL,
    method: string,
    given: Record<string, unknown>,
    match: RegExpExecArray,
    send: (status: number, payload: unknown, headers?: Record<string, string>) => void,
  ): void {
    const project = decodeURIComponent(match[1]!);
    const iid = match[2] ? Number(match[2]) : undefined;
    const list = this.issues.get(project) ?? [];
    const now = new Date().toISOString();
    if (method !== "GET" && this.readOnlyTokens.has(String(request.headers["private-token"] ?? ""))) {
      return send(403, { error: "insufficient_scope", error_description: "The request requires higher privileges than provided by the access token.", scope: "api" });
    }
    const paginate = <T>(items: T[], defaultPerPage: number) => {
      const perPage = Math.min(100, Number(url.searchParams.get("per_page") ?? defaultPerPage));
      const page = Number(url.searchParams.get("page") ?? 1);
      const pages = Math.max(1, Math.ceil(items.length / perPage));
      const link = (target: number, rel: string) => {
        const other = new URL(url.pathname + url.search, `http://${request.headers.host ?? "127.0.0.1"}`);
        other.searchParams.set("page", String(target));
        other.searchParams.set("per_page", String(perPage));
        return `<${other.toString()}>; rel="${rel}"`;
      };
      const links = [...(page > 1 ? [link(page - 1, "prev")] : []), ...(page < pages ? [link(page + 1, "next")] : []), link(1, "first"), link(pages, "last")];
      send(200, items.slice((page - 1) * perPage, page * perPage), {
        "x-page": String(page),
        "x-per-page": String(perPage),
        "x-total": String(items.length),
        "x-total-pages": String(pages),
        "x-next-page": page < pages ? String(page + 1) : "",
        "x-prev-page": page > 1 ? String(page - 1) : "",
        link: links.join(", "),
      });
    };
    const labelList = (value: unknown) => {
      const names = (Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.split(",") : []).map((name) => name.trim()).filter((name) => name !== "");
      const known = this.labels.get(project) ?? new Set<string>();
      names.forEach((name) => known.add(name));
      this.labels.set(project, known);
      return [...new Set(names)];
    };
    const tooLong = (description: unknown) => typeof description === "string" && description.length > this.descriptionLimit;
    const refuseLong = () => send(400, { message: { description: [`is too long (maximum is ${this.descriptionLimit} characters)`] } });

    if (iid === undefined) {
      if (method === "GET") {
        // state (all by default), labels, search (title and description), order_by created_at|updated_at, sort (desc), per_page (20), page
        const state = url.searchParams.get("state");
        const wanted = (url.searchParams.get("labels") ?? "").split(",").filter((label) => label !== "");
        const search = url.searchParams.get("search");
        const key = url.searchParams.get("order_by") === "updated_at" ? "updated_at" : "created_at";
        const ascending = url.searchParams.get("sort") === "asc";
        const found = list
          .filter((issue) => (!state || state === "all" || issue.state === state) && wanted.every((label) => issue.labels.includes(label)))
          .filter((issue) => !search || issue.title.includes(search) || (issue.description ?? "").includes(search))
          .sort((a, b) => (a[key] === b[key] ? a.iid - b.iid : a[key] < b[key] ? -1 : 1) * (ascending ? 1 : -1));
        return paginate(found, 20);
      }
      if (method === "POST") {
        if (typeof given.title !== "string" || given.title === "") return send(400, { error: "title is missing" });
        if (given.title.length > 255) return send(400, { message: { title: ["is too long (maximum is 255 characters)"] } });
        if (tooLong(given.description)) return refuseLong();
        const issue = this.addIssue(project, { title: given.title, description: typeof given.description === "string" ? given.description : null, labels: labelList(given.labels), created_at: now, updated_at: now });
        return send(201, issue);
      }
      return send(405, { message: "405 Method Not Allowed" });
    }
    const issue = list.find((candidate) => candidate.iid === iid);
    if (!issue) return send(404, { message: "404 Issue Not Found" });
    if (match[3]) {
      const key = `${project}#${iid}`;
      const notes = this.issueNotes.get(key) ?? [];
      if (method === "GET") return paginate(notes, 20);
      if (method === "POST") {
        const body = typeof given.body === "string" ? given.body : "";
        if (body === "") return send(400, { error: "body is missing" });
        if (body.length > this.noteLimit) return send(400, { message: { note: [`is too long (maximum is ${this.noteLimit} characters)`] } });
        const note = { id: this.nextId++, body, system: false };
        this.issueNotes.set(key, [...notes, note]);
        return send(201, note);
      }
      return send(405, { message: "405 Method Not Allowed" });
    }
    if (method === "GET") return send(200, issue);
    if (method === "PUT") {
      if (typeof given.title === "string" && given.title.length > 255) return send(400, { message: { title: ["is too long (maximum is 255 characters)"] } });
      if (tooLong(given.description)) return refuseLong();
      if (typeof given.title === "string") issue.title = given.title;
      if (typeof given.description === "string") issue.description = given.description;
      if (given.labels !== undefined) issue.labels = labelList(given.labels);
      if (given.add_labels !== undefined) issue.labels = [...new Set([...issue.labels, ...labelList(given.add_labels)])];
      if (given.state_event === "close" && issue.state === "opened") {
        issue.state = "closed";
        issue.closed_at = now;
      } else if (given.state_event === "reopen" && issue.state === "closed") {
        issue.state = "opened";
        issue.closed_at = null;
      }
      issue.updated_at = now;
      return send(200, issue);
    }
    send(405, { message: "405 Method Not Allowed" });
  }
}
