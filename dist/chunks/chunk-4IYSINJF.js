import { createRequire as __gvCreateRequire } from 'node:module';
const require = __gvCreateRequire(import.meta.url);
var __create = Object.create;
var __defProp = Object.defineProperty;
var __getOwnPropDesc = Object.getOwnPropertyDescriptor;
var __getOwnPropNames = Object.getOwnPropertyNames;
var __getProtoOf = Object.getPrototypeOf;
var __hasOwnProp = Object.prototype.hasOwnProperty;
var __require = /* @__PURE__ */ ((x) => typeof require !== "undefined" ? require : typeof Proxy !== "undefined" ? new Proxy(x, {
  get: (a, b) => (typeof require !== "undefined" ? require : a)[b]
}) : x)(function(x) {
  if (typeof require !== "undefined") return require.apply(this, arguments);
  throw Error('Dynamic require of "' + x + '" is not supported');
});
var __commonJS = (cb, mod) => function __require2() {
  try {
    return mod || (0, cb[__getOwnPropNames(cb)[0]])((mod = { exports: {} }).exports, mod), mod.exports;
  } catch (e) {
    throw mod = 0, e;
  }
};
var __export = (target, all) => {
  for (var name in all)
    __defProp(target, name, { get: all[name], enumerable: true });
};
var __copyProps = (to, from, except, desc) => {
  if (from && typeof from === "object" || typeof from === "function") {
    for (let key of __getOwnPropNames(from))
      if (!__hasOwnProp.call(to, key) && key !== except)
        __defProp(to, key, { get: () => from[key], enumerable: !(desc = __getOwnPropDesc(from, key)) || desc.enumerable });
  }
  return to;
};
var __toESM = (mod, isNodeMode, target) => (target = mod != null ? __create(__getProtoOf(mod)) : {}, __copyProps(
  // If the importer is in node compatibility mode or this is not an ESM
  // file that has been converted to a CommonJS file using a Babel-
  // compatible transform (i.e. "__esModule" has not been set), then set
  // "default" to the CommonJS "module.exports" for node compatibility.
  isNodeMode || !mod || !mod.__esModule ? __defProp(target, "default", { value: mod, enumerable: true }) : target,
  mod
));

// src/errors.ts
var UserError = class extends Error {
  constructor(message, location) {
    super(message);
    this.location = location;
  }
  location;
  name = "UserError";
};
var ToolError = class extends Error {
  constructor(message, tool, detail) {
    super(message);
    this.tool = tool;
    this.detail = detail;
  }
  tool;
  detail;
  name = "ToolError";
};
var ClusterError = class extends Error {
  constructor(message, reason, status, causes = []) {
    super(message);
    this.reason = reason;
    this.status = status;
    this.causes = causes;
  }
  reason;
  status;
  causes;
  name = "ClusterError";
};
var InternalError = class extends Error {
  name = "InternalError";
};
function formatLocation(location) {
  if (!location) return "";
  let text = location.file;
  if (location.line !== void 0) text += `:${location.line}`;
  if (location.line !== void 0 && location.column !== void 0) text += `:${location.column}`;
  return text;
}
function describeError(error) {
  if (error instanceof UserError && error.location) return `${formatLocation(error.location)}: ${error.message}`;
  if (error instanceof ToolError && error.detail) return `${error.message}
${error.detail}`;
  if (error instanceof Error) return error.message;
  return String(error);
}

export {
  __require,
  __commonJS,
  __export,
  __toESM,
  UserError,
  ToolError,
  ClusterError,
  InternalError,
  formatLocation,
  describeError
};
