// DjangoChat RX: TimeZoneProbe (components/time_zone.py). While `ask` is true (the person's time zone is not
// known yet), it hands the browser's IANA zone to `onZone` once per page; it renders nothing.
import { useEffect } from "react";

export function TimeZoneProbe({ ask, onZone }) {
  useEffect(() => {
    if (!ask || !onZone) return;
    let zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      zone = "";
    }
    if (zone) onZone(zone);
  }, [ask]);
  return null;
}
