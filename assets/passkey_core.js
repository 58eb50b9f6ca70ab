// DjangoChat RX: a passkey ceremony's rules, without React (tested under Node: tests/unit/test_passkey_js.py).
//
// `request` is the JSON text state/passkeys.py sets: {"id": n, "kind": "create" | "get", "options": {...}}
// where `options` is WebAuthn's options as py_webauthn writes them (base64url). The answer is a plain object:
// {id, kind, ok: true, credential: "<JSON text of the credential>"} or {id, kind, ok: false, error}.

export function parseRequest(request) {
  try {
    const parsed = JSON.parse(request);
    if (!parsed || (parsed.kind !== "create" && parsed.kind !== "get") || typeof parsed.options !== "object") {
      return null;
    }
    return parsed;
  } catch {
    return null;
  }
}

const SAID = {
  NotAllowedError: "The passkey was not used (cancelled, timed out, or no passkey for this site on this device).",
  InvalidStateError: "This device already holds a passkey for your account.",
  SecurityError: "Passkeys need this site's own address (not an IP address) over HTTPS or on localhost.",
  NotSupportedError: "This browser cannot use passkeys here.",
};

export async function ceremony(request, webauthn) {
  const parsed = parseRequest(request);
  if (!parsed) return { id: 0, kind: "", ok: false, error: "Nothing to do." };
  const { id, kind, options } = parsed;
  const PKC = webauthn.PublicKeyCredential;
  if (!PKC || !webauthn.credentials) return { id, kind, ok: false, error: SAID.NotSupportedError };
  try {
    const credential =
      kind === "create"
        ? await webauthn.credentials.create({ publicKey: PKC.parseCreationOptionsFromJSON(options) })
        : await webauthn.credentials.get({ publicKey: PKC.parseRequestOptionsFromJSON(options) });
    if (!credential) return { id, kind, ok: false, error: SAID.NotAllowedError };
    return { id, kind, ok: true, credential: JSON.stringify(credential.toJSON()) };
  } catch (error) {
    return { id, kind, ok: false, error: SAID[error && error.name] || `The passkey did not answer (${error}).` };
  }
}
