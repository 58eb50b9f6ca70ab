// DjangoChat RX: SeenUpTo (components/thread.py) renders nothing; it calls `onSeen(value)` whenever `value`
// (the newest reply a thread panel shows) grows while the page is visible, and when the page becomes
// visible again. Reflex event props, not eval: the app's Content-Security-Policy forbids evaluating strings.
import { useEffect, useRef } from "react";

export function SeenUpTo({ value, onSeen }) {
  const told = useRef(0);
  const latest = useRef({ value, onSeen });
  latest.current = { value, onSeen };
  useEffect(() => {
    const tell = () => {
      const { value, onSeen } = latest.current;
      if (document.visibilityState === "visible" && value > told.current && onSeen) {
        told.current = value;
        onSeen(value);
      }
    };
    tell();
    document.addEventListener("visibilitychange", tell);
    return () => document.removeEventListener("visibilitychange", tell);
  }, [value]);
  return null;
}
