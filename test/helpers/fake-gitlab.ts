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

export class FakeGitLab {
  readonly requests: Array<{ method: string; path: string; body: string; token?: string }> = [];
  /** Merge requests by project, as promotion opens and updates them. */
  readonly mergeRequests = new Map<string, MergeRequest[]>();
  readonly notes = new Map<string, Note[]>();
  /** Notes longer than this are refused with 400, as GitLab does past its limit. */
  noteLimit = 1_000_000;
  private failures: Array<{ method: string; path: RegExp; status: number; times: number }> = [];
  private nextId = 500;
  private server?: Server;

  failNext(method: string, path: RegExp, status: number, times = 1): void {
    this.failures.push({ method, path, status, times });
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
}
