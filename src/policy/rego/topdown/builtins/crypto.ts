// crypto.md5/sha1/sha256 and crypto.hmac.* (topdown/crypto.go) through node:crypto. The x509, JWT and key parsing
// builtins are in unsupported.ts.

import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import type { Builtin } from "./types.js";
import { fn, str } from "./operands.js";

const digest = (name: string, algorithm: string): Builtin => fn(name, 1, (args) => createHash(algorithm).update(str(name, args, 0), "utf8").digest("hex"));

const hmac = (name: string, algorithm: string): Builtin =>
  fn(name, 2, (args) => createHmac(algorithm, Buffer.from(str(name, args, 1), "utf8")).update(str(name, args, 0), "utf8").digest("hex"));

export const CRYPTO_BUILTINS: readonly Builtin[] = [
  digest("crypto.md5", "md5"),
  digest("crypto.sha1", "sha1"),
  digest("crypto.sha256", "sha256"),
  hmac("crypto.hmac.md5", "md5"),
  hmac("crypto.hmac.sha1", "sha1"),
  hmac("crypto.hmac.sha256", "sha256"),
  hmac("crypto.hmac.sha512", "sha512"),
  fn("crypto.hmac.equal", 2, (args) => {
    const a = Buffer.from(str("crypto.hmac.equal", args, 0), "utf8");
    const b = Buffer.from(str("crypto.hmac.equal", args, 1), "utf8");
    return a.length === b.length && timingSafeEqual(a, b);
  }),
];
