// DjangoChat RX: a passkey ceremony in the browser, for components/passkey.py (Passkey renders nothing).
//
// Each new value of the `request` prop (JSON text with an id, set by state/passkeys.py) runs once: create or
// use a passkey with WebAuthn, and hand the answer to `onResult` (passkey_core.js says its shape). Reflex
// event props, not eval: the app's Content-Security-Policy forbids evaluating strings.
import { useEffect, useRef } from "react";
import { ceremony, parseRequest } from "$/public/passkey_core.js";

export function Passkey({ request, onResult }) {
  const done = useRef(0);
  useEffect(() => {
    const parsed = request ? parseRequest(request) : null;
    if (!parsed || parsed.id === done.current) return;
    done.current = parsed.id;
    ceremony(request, { PublicKeyCredential: window.PublicKeyCredential, credentials: navigator.credentials }).then(
      (answer) => onResult && onResult(answer),
    );
  }, [request, onResult]);
  return null;
}
