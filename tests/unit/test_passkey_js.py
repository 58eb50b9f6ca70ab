"""assets/passkey_core.js under Node: a ceremony asked for by the server runs WebAuthn's create or get with the
options parsed from JSON, and answers with the credential's JSON, or says why not in words."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "passkey_core.js"

# A stand-in for the browser's WebAuthn: records what it was asked, answers as told.
FAKE = """
const asked = [];
function fake(answer) {
  return {
    PublicKeyCredential: {
      parseCreationOptionsFromJSON: (options) => ({ parsed: "creation", ...options }),
      parseRequestOptionsFromJSON: (options) => ({ parsed: "request", ...options }),
    },
    credentials: {
      create: async (arg) => { asked.push(["create", arg]); return answer("create"); },
      get: async (arg) => { asked.push(["get", arg]); return answer("get"); },
    },
  };
}
"""


def run(body: str):
    script = f"import {{ ceremony, parseRequest }} from {json.dumps(CORE.as_uri())};\n{FAKE}\n{body}"
    return run_js(script)


def test_create_and_get_run_with_the_parsed_options_and_answer_the_credentials_json():
    result = run(
        """
const ok = fake((kind) => ({ toJSON: () => ({ id: "cred-" + kind, type: "public-key" }) }));
const made = await ceremony(JSON.stringify({ id: 3, kind: "create", options: { challenge: "c1" } }), ok);
const used = await ceremony(JSON.stringify({ id: 4, kind: "get", options: { challenge: "c2" } }), ok);
console.log(JSON.stringify({ made, used, asked }));
"""
    )
    assert result["made"] == {
        "id": 3,
        "kind": "create",
        "ok": True,
        "credential": json.dumps({"id": "cred-create", "type": "public-key"}, separators=(",", ":")),
    }
    assert result["used"]["ok"] and json.loads(result["used"]["credential"])["id"] == "cred-get"
    assert result["asked"] == [
        ["create", {"publicKey": {"parsed": "creation", "challenge": "c1"}}],
        ["get", {"publicKey": {"parsed": "request", "challenge": "c2"}}],
    ]


def test_a_cancelled_or_refused_ceremony_says_why_in_words():
    result = run(
        """
const cancelled = fake(() => { const e = new Error("no"); e.name = "NotAllowedError"; throw e; });
const known = fake(() => { const e = new Error("dup"); e.name = "InvalidStateError"; throw e; });
const odd = fake(() => { throw new TypeError("boom"); });
const request = JSON.stringify({ id: 1, kind: "create", options: {} });
console.log(JSON.stringify([
  await ceremony(request, cancelled), await ceremony(request, known), await ceremony(request, odd),
  await ceremony(request, { PublicKeyCredential: undefined, credentials: undefined }),
]));
"""
    )
    assert [answer["ok"] for answer in result] == [False] * 4
    assert result[0]["error"].startswith("The passkey was not used")
    assert result[1]["error"] == "This device already holds a passkey for your account."
    assert result[2]["error"] == "The passkey did not answer (TypeError: boom)."
    assert result[3]["error"] == "This browser cannot use passkeys here."


def test_a_request_that_is_not_a_ceremony_does_nothing():
    result = run(
        """
console.log(JSON.stringify([parseRequest(""), parseRequest("{"), parseRequest('{"kind": "delete", "options": {}}'),
  (await ceremony("nonsense", fake(() => null))).ok, asked.length]));
"""
    )
    assert result == [None, None, None, False, 0]
