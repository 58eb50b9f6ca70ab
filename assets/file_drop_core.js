// DjangoChat RX: the rules FileDrop (file_drop.js) applies in the browser before and while uploading (no
// imports, so tests/unit/test_file_drop_js.py runs it under Node). The server checks all of it again.

// `size` bytes for people, as the server says it (attachments.human_size): 512 bytes, 1.5 KB, 25 MB;
// `up`: tenths rounded up, so a file just over a limit never reads as the limit itself.
export function humanSize(size, up = false) {
  for (const [unit, factor] of [["GB", 1024 ** 3], ["MB", 1024 ** 2], ["KB", 1024]]) {
    if (size >= factor) {
      const tenths = up ? Math.ceil((size * 10) / factor) : Math.round((size * 10) / factor);
      return `${(tenths / 10).toFixed(1).replace(/\.0$/, "")} ${unit}`;
    }
  }
  return `${size} bytes`;
}

// Of the files picked, dropped or pasted, those to upload and why the others are refused: at most
// `maxFiles` on one message counting `already` (uploaded or uploading), none over `maxBytes`.
export function checkFiles(files, { maxBytes, maxFiles, already = 0 }) {
  const accepted = [];
  const refused = [];
  for (const file of files) {
    if (file.size > maxBytes) {
      refused.push(`“${file.name}” is ${humanSize(file.size, true)}; the limit is ${humanSize(maxBytes)} per file.`);
    } else if (already + accepted.length >= maxFiles) {
      refused.push(`A message takes at most ${maxFiles} files.`);
    } else {
      accepted.push(file);
    }
  }
  return { accepted, refused: [...new Set(refused)] };
}

// What the upload route's answer means: {file} (its JSON view) on 201, else {error} in words.
export function uploadAnswer(status, body) {
  let parsed = null;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = null;
  }
  if (status === 201 && parsed && typeof parsed.id === "number") return { file: parsed };
  if (parsed && typeof parsed.error === "string") return { error: parsed.error };
  if (status === 413) return { error: "This file is too large." };
  return { error: "The upload failed; try again." };
}

// A name for a pasted image with none of its own (screenshots come as "image.png").
export function pastedName(file, now = new Date()) {
  if (file.name && file.name !== "image.png") return file.name;
  const stamp = now.toISOString().slice(0, 19).replace(/[:T]/g, "-");
  const ext = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
  return `pasted-${stamp}.${ext}`;
}

// How many of the waiting uploads may start now: at most `maxAtOnce` on their way at once (the server's
// UPLOADS_PER_USER_AT_ONCE; it answers 429 past it).
export function startable(waiting, running, maxAtOnce) {
  return Math.max(0, Math.min(waiting, maxAtOnce - running));
}

// After an answer, the milliseconds to wait before sending the same file again, or null for no retry:
// 429 (too many on their way, e.g. from another tab) and 503 (the image threads busy, with Retry-After)
// come back, at most `maxTries` times in all.
export function retryAfter(status, header, tries, maxTries = 5) {
  if ((status !== 429 && status !== 503) || tries >= maxTries) return null;
  const seconds = Number(header);
  return (Number.isFinite(seconds) && seconds > 0 ? Math.min(seconds, 60) : 1) * 1000;
}
