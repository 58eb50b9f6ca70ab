// DjangoChat RX: what the room page does in the browser alone, around the Reflex-rendered markup.
// Scrolling (stick to the newest message, keep the reading position when history loads above or
// is trimmed, "Jump to latest", loading history when its button scrolls into view), day separators
// and grouping in the reader's time zone, read markers, per-room drafts, the character counter,
// Up arrow / Escape for editing, the @ mention and / command pickers, and browser notifications for mentions.
// It only sets data- attributes and clicks Reflex's own buttons; React owns every element.
(() => {
  "use strict";
  const GROUP_MS = 5 * 60 * 1000;
  const NEAR_BOTTOM_PX = 48;
  const byId = (id) => document.getElementById(id);
  const rowsOf = (log) => log.querySelectorAll(".message[data-message-id]");

  // --- scrolling ---------------------------------------------------------------------------
  let stuck = true; // the reader is at the newest message
  let anchor = null; // {id, offset}: the first message in view and its distance from the top
  let lastId = null;
  // Where our own last scrollTop write left the history: a scroll event finding it elsewhere is the
  // reader's (a flag cleared on the next frame would also swallow a reader's scroll in that frame).
  let wrote = null;
  let target = null; // a message to show (/rooms/<slug>?message=<id>, from a search result)
  let targetHref = null;

  const nearBottom = (log) => log.scrollHeight - log.scrollTop - log.clientHeight < NEAR_BOTTOM_PX;

  // A row's day separator is drawn inside it and comes and goes as history loads above, so the
  // reading position is kept by the row's header line, not by the row's box.
  const markOf = (row) => row.querySelector(".message-header") || row;

  function remember(log) {
    stuck = nearBottom(log);
    anchor = null;
    for (const row of rowsOf(log)) {
      if (row.offsetTop + row.offsetHeight > log.scrollTop) {
        anchor = { id: row.dataset.messageId, offset: markOf(row).offsetTop - log.scrollTop };
        break;
      }
    }
    if (stuck) showJump(false);
  }

  function showJump(show) {
    const jump = byId("jump-latest");
    if (jump) jump.hidden = !show;
  }

  function scrollTo(log, top) {
    log.scrollTop = top;
    wrote = log.scrollTop;
  }

  // Show the message the address asks for once it is on the page: centred, highlighted, and the
  // reader stays there (not pulled to the newest message).
  function showTarget(log) {
    if (location.href !== targetHref) {
      targetHref = location.href;
      target = new URLSearchParams(location.search).get("message");
    }
    if (!target) return;
    const row = log.querySelector(`.message[data-message-id="${CSS.escape(target)}"]`);
    if (!row) return;
    target = null;
    for (const old of log.querySelectorAll('.message[data-target="true"]')) setData(old, "target", null);
    setData(row, "target", "true");
    scrollTo(log, markOf(row).offsetTop - log.clientHeight / 3);
    stuck = false;
    anchor = { id: row.dataset.messageId, offset: markOf(row).offsetTop - log.scrollTop };
  }

  function settle(log) {
    showTarget(log);
    const rows = rowsOf(log);
    const newest = rows.length ? rows[rows.length - 1].dataset.messageId : null;
    const grew = newest !== null && newest !== lastId;
    if (stuck) {
      scrollTo(log, log.scrollHeight);
    } else if (anchor) {
      const row = log.querySelector(`.message[data-message-id="${anchor.id}"]`);
      if (row) scrollTo(log, markOf(row).offsetTop - anchor.offset);
      if (grew && lastId !== null && Number(newest) > Number(lastId)) showJump(true);
    }
    lastId = newest;
    markRead(log);
  }

  // --- read markers --------------------------------------------------------------------------
  let readTimer = null;
  let readSent = null;
  function markRead(log) {
    if (document.visibilityState !== "visible" || !stuck || readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      const current = byId("messages");
      const button = byId("mark-read");
      if (!current || !button || document.visibilityState !== "visible" || !nearBottom(current)) return;
      if (lastId !== null && lastId !== readSent) {
        readSent = lastId;
        button.click();
      }
    }, 1000);
  }

  // --- day separators and grouping -----------------------------------------------------------
  function dayKey(date) {
    return `${date.getFullYear()}-${date.getMonth()}-${date.getDate()}`;
  }

  function dayLabel(date) {
    const today = new Date();
    const yesterday = new Date(today.getFullYear(), today.getMonth(), today.getDate() - 1);
    if (dayKey(date) === dayKey(today)) return "Today";
    if (dayKey(date) === dayKey(yesterday)) return "Yesterday";
    const options = { weekday: "long", month: "long", day: "numeric" };
    if (date.getFullYear() !== today.getFullYear()) options.year = "numeric";
    return date.toLocaleDateString(undefined, options);
  }

  function decorate(log) {
    let previous = null;
    for (const row of rowsOf(log)) {
      const at = new Date(row.dataset.createdAt);
      const before = previous && new Date(previous.dataset.createdAt);
      const newDay = !before || dayKey(before) !== dayKey(at);
      setData(row, "day", newDay ? dayLabel(at) : null);
      const grouped =
        !newDay &&
        previous.dataset.author === row.dataset.author &&
        previous.dataset.deleted !== "true" &&
        row.previousElementSibling === previous &&
        at - before < GROUP_MS;
      setData(row, "grouped", grouped ? "true" : null);
      previous = row;
    }
  }

  function setData(element, name, value) {
    if (value === null) {
      if (name in element.dataset) delete element.dataset[name];
    } else if (element.dataset[name] !== value) {
      element.dataset[name] = value;
    }
  }

  // --- history loading: click "Load earlier" / "Load newer" when they come into view -----------
  function inView(element) {
    const box = element.getBoundingClientRect();
    const frame = (byId("messages") || document.documentElement).getBoundingClientRect();
    return element.isConnected && box.bottom > frame.top && box.top < frame.bottom && box.height > 0;
  }

  function load(button) {
    if (button.dataset.requested === "true") return;
    button.dataset.requested = "true";
    button.click();
    // Still in view once the answer had time to land (the reader kept scrolling up): load more.
    setTimeout(() => {
      delete button.dataset.requested;
      if (inView(button)) load(button);
    }, 800);
  }

  const loader = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) load(entry.target);
    },
    { threshold: 0.1 },
  );
  const watched = new WeakSet();

  function watchLoaders() {
    for (const id of ["load-older", "load-gap"]) {
      const button = byId(id);
      if (button && !watched.has(button)) {
        watched.add(button);
        loader.observe(button);
      }
    }
  }

  // --- drafts and the counter -----------------------------------------------------------------
  const draftKey = () => `djangochat:draft:${location.pathname}`;
  let composer = null;

  function adoptComposer() {
    const box = byId("message");
    if (!box || box === composer) return;
    composer = box;
    const saved = localStorage.getItem(draftKey());
    if (saved && !box.value) {
      box.value = saved;
      fit(box);
    }
    count(box);
  }

  // The box's height follows its text (what Reflex's auto_height does on input).
  function fit(box) {
    box.style.height = "auto";
    box.style.height = `${box.scrollHeight}px`;
  }

  function count(box) {
    const counter = byId("message-counter");
    if (!counter) return;
    const limit = Number(counter.dataset.limit);
    const used = box.value.length;
    counter.textContent = used > limit * 0.8 ? `${used} / ${limit}` : "";
    counter.dataset.over = used > limit ? "true" : "false";
  }

  document.addEventListener("input", (event) => {
    if (event.target.id !== "message") return;
    const box = event.target;
    if (box.value) localStorage.setItem(draftKey(), box.value);
    else localStorage.removeItem(draftKey());
    count(box);
    picker.update(box);
  });

  document.addEventListener(
    "submit",
    (event) => {
      const box = event.target.querySelector("#message");
      if (box) {
        localStorage.removeItem(draftKey());
        // The server empties the box once the message is saved (no input event): shrink it then.
        const started = Date.now();
        const wait = setInterval(() => {
          if (!box.value || Date.now() - started > 10000) clearInterval(wait);
          if (!box.value) {
            fit(box);
            count(box);
          }
        }, 100);
      }
    },
    true,
  );

  // --- the pickers: @ mentions, and / commands at the very start of the box ---------------------------
  // Each list comes from a hidden holder's data- attribute, loaded (the holder clicked) on first use.
  const PICKERS = [
    {
      id: "mention-picker",
      label: "Mention someone",
      holder: "mention-names",
      attribute: "names",
      // "@" after a space or at the start, then the name so far.
      query(before) {
        const found = /(^|\s)@([^\s@]{0,32})$/.exec(before);
        return found && { start: before.length - found[2].length - 1, typed: found[2].toLowerCase() };
      },
      items: (raw) => raw.split("\n").map((name) => ({ key: name.toLowerCase(), insert: `@${name}`, name: `@${name}` })),
    },
    {
      id: "command-picker",
      label: "Commands",
      holder: "command-list",
      attribute: "commands",
      // "/" as the box's first character, then the command's name so far ("//" escapes: no list).
      query(before) {
        const found = /^\/([^\s/]{0,32})$/.exec(before);
        return found && { start: 0, typed: `/${found[1].toLowerCase()}` };
      },
      items: (raw) =>
        raw.split("\n").map((line) => {
          const [name, usage, help] = line.split("\t");
          return { key: name, insert: name, name, usage, help };
        }),
    },
  ];

  const picker = (() => {
    let list = null;
    let kind = null; // the PICKERS entry shown
    let matches = [];
    let active = 0;
    let box = null;
    let start = 0;
    const offered = {};

    function items(of) {
      const holder = byId(of.holder);
      if (!holder) return [];
      const raw = holder.dataset[of.attribute];
      if (!raw) {
        // Loaded on first use; `arrived` offers them as soon as they come.
        if (holder.dataset.requested !== "true") {
          holder.dataset.requested = "true";
          holder.click();
        }
        return [];
      }
      return of.items(raw);
    }

    function arrived() {
      for (const of of PICKERS) {
        const holder = byId(of.holder);
        const current = holder ? holder.dataset[of.attribute] || "" : "";
        if (current !== (offered[of.id] || "")) {
          offered[of.id] = current;
          const focused = document.activeElement;
          if (current && focused && focused.id === "message") update(focused);
        }
      }
    }

    function close() {
      if (list) list.remove();
      list = null;
      kind = null;
      matches = [];
    }

    function update(target) {
      box = target;
      const before = box.value.slice(0, box.selectionStart);
      for (const of of PICKERS) {
        const found = of.query(before);
        if (!found) continue;
        const offer = items(of)
          .filter((item) => item.key.startsWith(found.typed))
          .slice(0, 8);
        if (!offer.length) break;
        if (kind !== of) close();
        kind = of;
        matches = offer;
        start = found.start;
        active = 0;
        render();
        return;
      }
      close();
    }

    function row(item) {
      if (!item.usage && !item.help) return [item.name];
      const name = document.createElement("strong");
      name.className = "picker-name";
      name.textContent = item.name;
      const usage = document.createElement("span");
      usage.className = "picker-usage";
      usage.textContent = item.usage ? ` ${item.usage}` : "";
      const help = document.createElement("span");
      help.className = "picker-help";
      help.textContent = item.help;
      return [name, usage, help];
    }

    function render() {
      if (!list) {
        list = document.createElement("ul");
        list.id = kind.id;
        list.className = "picker";
        list.setAttribute("role", "listbox");
        list.setAttribute("aria-label", kind.label);
        document.body.appendChild(list);
      }
      list.replaceChildren(
        ...matches.map((match, index) => {
          const item = document.createElement("li");
          item.setAttribute("role", "option");
          item.setAttribute("aria-selected", index === active ? "true" : "false");
          item.append(...row(match));
          item.addEventListener("mousedown", (event) => {
            event.preventDefault();
            choose(index);
          });
          return item;
        }),
      );
      const rect = box.getBoundingClientRect();
      list.style.left = `${rect.left + window.scrollX}px`;
      list.style.bottom = `${window.innerHeight - rect.top - window.scrollY + 4}px`;
    }

    function choose(index) {
      const text = `${matches[index].insert} `;
      const end = box.selectionStart;
      box.value = `${box.value.slice(0, start)}${text}${box.value.slice(end)}`;
      const caret = start + text.length;
      box.setSelectionRange(caret, caret);
      close();
      box.dispatchEvent(new Event("input", { bubbles: true }));
      box.focus();
    }

    function key(event) {
      if (!list || !matches.length) return false;
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        active = (active + (event.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length;
        render();
      } else if (event.key === "Enter" || event.key === "Tab") {
        choose(active);
      } else if (event.key === "Escape") {
        close();
      } else {
        return false;
      }
      return true;
    }

    return { update, key, close, arrived };
  })();

  // Capture phase on window: runs before React's handlers (Enter would otherwise send the message).
  window.addEventListener(
    "keydown",
    (event) => {
      const target = event.target;
      if (target.id === "message") {
        if (picker.key(event)) {
          event.preventDefault();
          event.stopImmediatePropagation();
        } else if (event.key === "ArrowUp" && !target.value) {
          const mine = document.querySelectorAll('#messages .message[data-mine="true"][data-deleted="false"]');
          const edit = mine.length && mine[mine.length - 1].querySelector(".edit-button");
          if (edit) {
            event.preventDefault();
            edit.click();
          }
        }
      } else if (target.id === "edit-box" && event.key === "Escape") {
        event.preventDefault();
        const cancel = byId("edit-cancel");
        if (cancel) cancel.click();
        const box = byId("message");
        if (box) box.focus();
      }
    },
    true,
  );
  document.addEventListener("focusout", (event) => {
    if (event.target.id === "message") setTimeout(picker.close, 150);
  });

  // --- notifications -----------------------------------------------------------------------------
  let lastNotice = null;

  function notify(holder) {
    const raw = holder.dataset.notice;
    if (!raw || raw === lastNotice) return;
    const first = lastNotice === null;
    lastNotice = raw;
    let notice;
    try {
      notice = JSON.parse(raw);
    } catch {
      return;
    }
    if (first || !notice.id || document.visibilityState === "visible") return;
    if (!("Notification" in window) || Notification.permission !== "granted") return;
    const shown = new Notification(`${notice.author} mentioned you in ${notice.room}`, {
      body: notice.text,
      tag: `djangochat-${notice.id}`,
    });
    shown.onclick = () => {
      window.focus();
      // A mention in a thread opens the thread beside its room (`path`); any other, the room.
      const path = typeof notice.path === "string" && notice.path.startsWith("/rooms/") ? notice.path : null;
      location.assign(path || `/rooms/${encodeURIComponent(notice.slug)}`);
    };
  }

  function offerNotifications() {
    const button = byId("enable-notifications");
    if (!button || !("Notification" in window)) return;
    button.hidden = Notification.permission !== "default";
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest && event.target.closest("#enable-notifications, #jump-latest");
    if (!button) return;
    if (button.id === "jump-latest") {
      const log = byId("messages");
      if (log) {
        stuck = true;
        scrollTo(log, log.scrollHeight);
        showJump(false);
        markRead(log);
      }
    } else {
      Notification.requestPermission().then(offerNotifications);
    }
  });

  // --- wiring --------------------------------------------------------------------------------------
  let log = null;

  function onScroll() {
    if (!log || log.scrollTop === wrote) return;
    wrote = null;
    remember(log);
  }

  function refresh() {
    const current = byId("messages");
    if (current !== log) {
      if (log) log.removeEventListener("scroll", onScroll);
      log = current;
      stuck = true;
      anchor = null;
      lastId = null;
      readSent = null;
      if (log) log.addEventListener("scroll", onScroll, { passive: true });
    }
    if (log) {
      decorate(log);
      settle(log);
      watchLoaders();
    }
    adoptComposer();
    picker.arrived();
    offerNotifications();
    const holder = byId("mention-notice");
    if (holder) notify(holder);
  }

  let queued = false;
  new MutationObserver(() => {
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      refresh();
    });
  }).observe(document.documentElement, {
    childList: true,
    subtree: true,
    characterData: true,
    attributes: true,
    attributeFilter: ["data-notice", "data-names", "data-commands"],
  });
  document.addEventListener("visibilitychange", () => log && markRead(log));
  window.addEventListener("resize", () => log && stuck && scrollTo(log, log.scrollHeight));
})();
