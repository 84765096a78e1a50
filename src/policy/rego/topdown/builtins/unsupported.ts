// OPA builtins that are known but refused here: they reach outside the policy's inputs (network, runtime), or
// verify signatures and certificates, which a policy check over rendered manifests has no use for. Calling one is
// a clear error naming the reason, never a silent false.

import { RegoObject } from "../../value.js";
import type { Builtin } from "./types.js";
import { fn, unsupported } from "./operands.js";

const NETWORK = "it needs the network, which policies evaluated here do not have";
const JWT = "JSON Web Tokens are not supported by this evaluator";
const X509 = "certificates and keys are not parsed by this evaluator";
const GRAPHQL = "GraphQL is not supported by this evaluator";

const JWT_VERIFY = ["es256", "es384", "es512", "hs256", "hs384", "hs512", "ps256", "ps384", "ps512", "rs256", "rs384", "rs512", "eddsa"];

export const UNSUPPORTED_BUILTINS: readonly Builtin[] = [
  unsupported("http.send", 1, NETWORK),
  unsupported("net.lookup_ip_addr", 1, NETWORK),
  // no OPA runtime runs here: its configuration and environment are empty, as OPA's evaluator answers without one
  fn("opa.runtime", 0, () => new RegoObject()),
  unsupported("providers.aws.sign_req", 3, "AWS request signing is not supported by this evaluator"),
  unsupported("io.jwt.decode", 1, JWT),
  unsupported("io.jwt.decode_verify", 2, JWT),
  unsupported("io.jwt.encode_sign", 3, JWT),
  unsupported("io.jwt.encode_sign_raw", 3, JWT),
  ...JWT_VERIFY.map((alg) => unsupported(`io.jwt.verify_${alg}`, 2, JWT)),
  unsupported("crypto.x509.parse_certificates", 1, X509),
  unsupported("crypto.x509.parse_and_verify_certificates", 1, X509),
  unsupported("crypto.x509.parse_and_verify_certificates_with_options", 2, X509),
  unsupported("crypto.x509.parse_certificate_request", 1, X509),
  unsupported("crypto.x509.parse_keypair", 2, X509),
  unsupported("crypto.x509.parse_rsa_private_key", 1, X509),
  unsupported("crypto.parse_private_keys", 1, X509),
  unsupported("graphql.is_valid", 2, GRAPHQL),
  unsupported("graphql.parse", 2, GRAPHQL),
  unsupported("graphql.parse_and_verify", 2, GRAPHQL),
  unsupported("graphql.parse_query", 1, GRAPHQL),
  unsupported("graphql.parse_schema", 1, GRAPHQL),
  unsupported("graphql.schema_is_valid", 1, GRAPHQL),
  unsupported("rego.parse_module", 2, "parsing Rego modules at evaluation time is not supported by this evaluator"),
  // OPA's test-only builtin (the conformance suite's time caching case): a no-op, time.now_ns being fixed anyway
  fn("test.sleep", 1, () => true),
];
