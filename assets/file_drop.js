// DjangoChat RX: attaching files to the message box, for components/files.py (FileDrop).
//
// Files come from the attach button (a label around a file input: the browser's own picker), from a drop
// anywhere on the element `dropTarget` names, or pasted into the element `pasteTarget` names. Each is
// checked (file_drop_core.js: size, count), then uploaded alone with XMLHttpRequest to `uploadUrl`, with
// the tab's upload ticket in a header, a progress bar and a Cancel button; at most `maxAtOnce` at once (the
// others wait their turn, listed), and one the server asks to come back later (429, 503) is sent again. The server's answer goes to
// `onUploaded(id)`; a refusal, in words, to `onRefused(text)`. Reflex event props, not eval: the app's
// Content-Security-Policy forbids evaluating strings.
import { createElement as h, useEffect, useRef, useState } from "react";
import { checkFiles, pastedName, retryAfter, startable, uploadAnswer } from "$/public/file_drop_core.js";

let nextId = 1;

export function FileDrop({ uploadUrl, ticket, maxBytes, maxFiles, maxAtOnce, pending, dropTarget, pasteTarget, inputLabel, onUploaded, onRefused, className, children }) {
  const [uploads, setUploads] = useState([]);
  // Uploads on their way (id -> XMLHttpRequest) and those waiting their turn or a retry ({id, file, name, tries}).
  const live = useRef(new Map());
  const waiting = useRef([]);
  const timers = useRef(new Map());
  const props = useRef({});
  props.current = { uploadUrl, ticket, maxBytes, maxFiles, maxAtOnce: maxAtOnce || 1, pending: pending || 0, onUploaded, onRefused };

  const finish = (id) => {
    live.current.delete(id);
    setUploads((list) => list.filter((u) => u.id !== id));
    pump();
  };

  const pump = () => {
    const free = startable(waiting.current.length, live.current.size, props.current.maxAtOnce);
    waiting.current.splice(0, free).forEach(send);
  };

  const send = (upload) => {
    const { uploadUrl, ticket, onUploaded, onRefused } = props.current;
    const { id, file, name } = upload;
    const xhr = new XMLHttpRequest();
    live.current.set(id, xhr);
    xhr.upload.onprogress = (event) => {
      if (!event.lengthComputable) return;
      const percent = Math.round((100 * event.loaded) / event.total);
      setUploads((list) => list.map((u) => (u.id === id ? { ...u, percent } : u)));
    };
    xhr.onload = () => {
      const wait = retryAfter(xhr.status, xhr.getResponseHeader("Retry-After"), upload.tries + 1);
      if (wait !== null) {
        live.current.delete(id);
        setUploads((list) => list.map((u) => (u.id === id ? { ...u, percent: 0 } : u)));
        timers.current.set(id, setTimeout(() => {
          timers.current.delete(id);
          waiting.current.unshift({ ...upload, tries: upload.tries + 1 });
          pump();
        }, wait));
        pump();
        return;
      }
      finish(id);
      const answer = uploadAnswer(xhr.status, xhr.responseText);
      if (answer.file && onUploaded) onUploaded(answer.file.id);
      else if (answer.error && onRefused) onRefused(answer.error);
    };
    xhr.onerror = () => {
      finish(id);
      if (onRefused) onRefused(`“${name}” could not be uploaded: the connection failed.`);
    };
    xhr.onabort = () => finish(id);
    xhr.open("POST", uploadUrl);
    xhr.setRequestHeader("X-Upload-Ticket", ticket);
    xhr.setRequestHeader("X-File-Name", encodeURIComponent(name));
    xhr.send(file);
  };

  const cancel = (id) => {
    const xhr = live.current.get(id);
    if (xhr) return xhr.abort();
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    waiting.current = waiting.current.filter((u) => u.id !== id);
    setUploads((list) => list.filter((u) => u.id !== id));
  };

  const start = (file, name) => {
    const id = nextId++;
    setUploads((list) => [...list, { id, name, percent: 0 }]);
    waiting.current.push({ id, file, name, tries: 0 });
    pump();
  };

  const take = (files, named = (file) => file.name) => {
    const { maxBytes, maxFiles, pending, onRefused } = props.current;
    const list = Array.from(files || []);
    if (!list.length) return;
    const already = pending + live.current.size + waiting.current.length + timers.current.size;
    const { accepted, refused } = checkFiles(list, { maxBytes, maxFiles, already });
    if (refused.length && onRefused) onRefused(refused.join(" "));
    accepted.forEach((file) => start(file, named(file)));
  };
  const takeRef = useRef(take);
  takeRef.current = take;

  useEffect(() => {
    const zone = document.getElementById(dropTarget);
    const box = document.getElementById(pasteTarget);
    const hasFiles = (event) => Array.from(event.dataTransfer?.types || []).includes("Files");
    const over = (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      zone.dataset.dropping = "true";
    };
    const leave = (event) => {
      if (!zone.contains(event.relatedTarget)) delete zone.dataset.dropping;
    };
    const drop = (event) => {
      delete zone.dataset.dropping;
      if (!hasFiles(event)) return;
      event.preventDefault();
      takeRef.current(event.dataTransfer.files);
    };
    const paste = (event) => {
      const files = Array.from(event.clipboardData?.files || []);
      if (!files.length) return;
      event.preventDefault();
      takeRef.current(files, (file) => pastedName(file));
    };
    zone?.addEventListener("dragover", over);
    zone?.addEventListener("dragleave", leave);
    zone?.addEventListener("drop", drop);
    box?.addEventListener("paste", paste);
    return () => {
      zone?.removeEventListener("dragover", over);
      zone?.removeEventListener("dragleave", leave);
      zone?.removeEventListener("drop", drop);
      box?.removeEventListener("paste", paste);
    };
  }, [dropTarget, pasteTarget]);

  useEffect(
    () => () => {
      waiting.current = [];
      timers.current.forEach((timer) => clearTimeout(timer));
      live.current.forEach((xhr) => xhr.abort());
    },
    [],
  );

  const input = h("input", {
    type: "file",
    multiple: maxFiles !== 1,
    id: inputLabel ? undefined : "attach-files",
    className: "sr-only",
    "aria-label": inputLabel || "Attach files",
    onChange: (event) => {
      takeRef.current(event.target.files);
      event.target.value = "";
    },
  });
  const progress = uploads.length
    ? h(
        "ul",
        { className: "uploads", "aria-label": "Uploading" },
        uploads.map((u) =>
          h(
            "li",
            { key: u.id, className: "upload" },
            h("span", { className: "upload-name" }, u.name),
            h("progress", { max: 100, value: u.percent, "aria-label": `Uploading ${u.name}` }),
            h(
              "button",
              { type: "button", className: "upload-cancel", onClick: () => cancel(u.id) },
              "Cancel",
            ),
          ),
        ),
      )
    : null;
  return h(
    "div",
    { className: className ? `file-drop ${className}` : "file-drop" },
    h("label", { className: "attach-button", title: inputLabel || "Attach files (or drop or paste them)" }, input, children),
    progress,
  );
}
