// DjangoChat RX: RoomLog (components/room_log.py), around a room's history (its children: the log, role="log",
// and the "Jump to latest" button). It watches only that element and keeps the reader's place: at the newest
// message it follows new ones, scrolled up it keeps the row being read in place when history loads above or
// is trimmed and shows "Jump to latest"; it scrolls to the message the address asks for, draws day separators
// and grouping (data- attributes, room_log_core.js), calls `onLoadOlder(olderThan)` / `onFillGap(gapAfter,
// gapBefore)` when "Load earlier" / "Load newer" come into view, and `onRead(newest)` once the reader has
// been at the newest message a moment with the page visible. Reflex event props, not eval: the app's
// Content-Security-Policy forbids evaluating strings.
import { createElement as h, useEffect, useRef } from "react";
import { useLocation } from "react-router";
import { arrived, decorateAfter, decorations, nearBottom, readDue, targetOf } from "$/public/room_log_core.js";

const READ_AFTER_MS = 1000;
// A loader still in view this long after it asked (the reader kept scrolling up) asks again.
const LOAD_AGAIN_MS = 800;

function setData(element, name, value) {
  if (value === null) {
    if (name in element.dataset) delete element.dataset[name];
  } else if (element.dataset[name] !== value) {
    element.dataset[name] = value;
  }
}

// A row's day separator is drawn inside it and comes and goes as history loads above, so the reading
// position is kept by the row's header line, not by the row's box.
const markOf = (row) => row.querySelector(".message-header") || row;

function follow(root, props) {
  const log = root.querySelector('[role="log"]');
  const jump = root.querySelector(".jump-latest");
  const rowsOf = () => log.querySelectorAll(".message[data-message-id]");
  let stuck = true; // the reader is at the newest message
  let anchor = null; // {id, offset}: the first message in view and its distance from the top
  let lastId = null;
  // Where our own last scrollTop write left the history: a scroll event finding it elsewhere is the reader's.
  let wrote = null;
  let target = null;
  let targetAddress = null;
  let readTimer = null;
  let told = null;
  const asked = new WeakSet();

  const showJump = (show) => {
    if (jump) jump.hidden = !show;
  };
  const scrollTo = (top) => {
    log.scrollTop = top;
    wrote = log.scrollTop;
  };

  function remember() {
    stuck = nearBottom(log);
    anchor = null;
    for (const row of rowsOf()) {
      if (row.offsetTop + row.offsetHeight > log.scrollTop) {
        anchor = { id: row.dataset.messageId, offset: markOf(row).offsetTop - log.scrollTop };
        break;
      }
    }
    if (stuck) showJump(false);
  }

  // The message the address asks for, once it is on the page: centred, highlighted, and the reader stays there.
  function showTarget() {
    if (location.href !== targetAddress) {
      targetAddress = location.href;
      target = targetOf(location.search);
    }
    if (!target) return;
    const row = log.querySelector(`.message[data-message-id="${CSS.escape(target)}"]`);
    if (!row) return;
    target = null;
    for (const old of log.querySelectorAll('.message[data-target="true"]')) setData(old, "target", null);
    setData(row, "target", "true");
    scrollTo(markOf(row).offsetTop - log.clientHeight / 3);
    stuck = false;
    anchor = { id: row.dataset.messageId, offset: markOf(row).offsetTop - log.scrollTop };
  }

  const ROW = ".message[data-message-id]";
  const rowInfo = (row, previous) => ({
    author: row.dataset.author,
    createdAt: row.dataset.createdAt,
    deleted: row.dataset.deleted === "true",
    follows: previous !== null && row.previousElementSibling === previous,
  });
  const draw = (row, drawn) => {
    setData(row, "day", drawn.day);
    setData(row, "grouped", drawn.grouped ? "true" : null);
  };
  const sibling = (element, step) => {
    for (let next = element && element[step]; next; next = next[step]) if (next.matches(ROW)) return next;
    return null;
  };

  // Day separators and grouping: of every row (`records` null), or of the rows the DOM changes in `records`
  // touched (a new or changed row, and the row after it or after a removed one: a row's drawing depends on
  // the row before it only), so a new message costs the work of one row, not of the whole history.
  function decorate(records) {
    if (!records) {
      const rows = [...rowsOf()];
      const drawn = decorations(rows.map((row, i) => rowInfo(row, i > 0 ? rows[i - 1] : null)));
      rows.forEach((row, i) => draw(row, drawn[i]));
      return;
    }
    const touched = new Set();
    const touch = (row) => row && touched.add(row) && touched.add(sibling(row, "nextElementSibling"));
    for (const record of records) {
      // A change inside a row redraws it (and the row after it); rows added anywhere, and the row after each, or
      // after where rows went, are redrawn too.
      const target = record.target.nodeType === 1 ? record.target : record.target.parentElement;
      touch(target && target.closest(ROW));
      for (const node of record.addedNodes) {
        if (node.nodeType !== 1) continue;
        if (node.matches(ROW)) touch(node);
        else node.querySelectorAll(ROW).forEach(touch);
        touched.add(sibling(node, "nextElementSibling"));
      }
      const after = record.removedNodes.length ? record.nextSibling : null;
      if (after) touched.add(after.nodeType === 1 && after.matches(ROW) ? after : sibling(after, "nextElementSibling"));
    }
    for (const row of touched) {
      if (!row || !row.isConnected) continue;
      const previous = sibling(row, "previousElementSibling");
      const before = previous && rowInfo(previous, sibling(previous, "previousElementSibling"));
      draw(row, decorateAfter(before, rowInfo(row, previous)));
    }
  }

  function markRead() {
    if (document.visibilityState !== "visible" || !stuck || readTimer) return;
    readTimer = setTimeout(() => {
      readTimer = null;
      const { newest, onRead } = props.current;
      const visible = document.visibilityState === "visible";
      if (onRead && readDue({ visible, atBottom: nearBottom(log), newest, told })) {
        told = newest;
        onRead(newest);
      }
    }, READ_AFTER_MS);
  }

  function settle() {
    showTarget();
    const rows = rowsOf();
    const newest = rows.length ? rows[rows.length - 1].dataset.messageId : null;
    if (stuck) {
      scrollTo(log.scrollHeight);
    } else if (anchor) {
      const row = log.querySelector(`.message[data-message-id="${anchor.id}"]`);
      if (row) scrollTo(markOf(row).offsetTop - anchor.offset);
      if (newest !== lastId && arrived(lastId, newest)) showJump(true);
    }
    lastId = newest;
    markRead();
  }

  // "Load earlier messages" and "Load newer messages" ask the server as they come into view.
  const inView = (element) => {
    const box = element.getBoundingClientRect();
    const frame = log.getBoundingClientRect();
    return element.isConnected && box.bottom > frame.top && box.top < frame.bottom && box.height > 0;
  };
  function load(loader) {
    if (asked.has(loader)) return;
    asked.add(loader);
    const { olderThan, gapAfter, gapBefore, onLoadOlder, onFillGap } = props.current;
    if (loader.dataset.loader === "older" && olderThan > 0 && onLoadOlder) onLoadOlder(olderThan);
    if (loader.dataset.loader === "gap" && gapAfter > 0 && gapBefore > 0 && onFillGap) onFillGap(gapAfter, gapBefore);
    setTimeout(() => {
      asked.delete(loader);
      if (inView(loader)) load(loader);
    }, LOAD_AGAIN_MS);
  }
  const loaders = new IntersectionObserver(
    (entries) => {
      for (const entry of entries) if (entry.isIntersecting) load(entry.target);
    },
    { threshold: 0.1 },
  );
  const watched = new WeakSet();
  function watchLoaders() {
    for (const loader of log.querySelectorAll("[data-loader]")) {
      if (!watched.has(loader)) {
        watched.add(loader);
        loaders.observe(loader);
      }
    }
  }

  function refresh(records = null) {
    decorate(records);
    settle();
    watchLoaders();
  }

  // The changes since the last refresh, handled together once the DOM is done changing.
  let pending = null;
  const changes = new MutationObserver((records) => {
    if (pending) {
      pending.push(...records);
      return;
    }
    pending = records;
    queueMicrotask(() => {
      const batch = pending;
      pending = null;
      refresh(batch);
    });
  });
  changes.observe(log, { childList: true, subtree: true, characterData: true });
  const onScroll = () => {
    if (log.scrollTop === wrote) return;
    wrote = null;
    remember();
  };
  const onVisible = () => markRead();
  // The history takes the height the page leaves it: it shrinks as the message box grows a line or a panel
  // opens beside it, not only when the window changes. At the newest message, the reader stays there.
  const onResize = () => stuck && scrollTo(log.scrollHeight);
  const resized = new ResizeObserver(onResize);
  log.addEventListener("scroll", onScroll, { passive: true });
  document.addEventListener("visibilitychange", onVisible);
  resized.observe(log);
  refresh();

  return {
    refresh,
    jumpToLatest() {
      stuck = true;
      scrollTo(log.scrollHeight);
      showJump(false);
      markRead();
    },
    stop() {
      changes.disconnect();
      loaders.disconnect();
      clearTimeout(readTimer);
      log.removeEventListener("scroll", onScroll);
      document.removeEventListener("visibilitychange", onVisible);
      resized.disconnect();
    },
  };
}

export function RoomLog({ newest, olderThan, gapAfter, gapBefore, onRead, onLoadOlder, onFillGap, className, children }) {
  const root = useRef(null);
  const props = useRef({});
  props.current = { newest, olderThan, gapAfter, gapBefore, onRead, onLoadOlder, onFillGap };
  const follower = useRef(null);
  const address = useLocation();
  useEffect(() => {
    follower.current = follow(root.current, props);
    return () => follower.current.stop();
  }, []);
  // A new address (?message=<id>, a quote's or a pin's Jump) may ask for a message the page shows already.
  useEffect(() => follower.current && follower.current.refresh(), [address.pathname, address.search]);
  return h(
    "div",
    {
      ref: root,
      className: className ? `room-log ${className}` : "room-log",
      onClick: (event) => event.target.closest(".jump-latest") && follower.current.jumpToLatest(),
    },
    children,
  );
}
