// DjangoChat RX: the lines of a room's Files panel, held in the browser (components/files.py): read when
// the panel opens, then each message's files as it is posted (room_files_core.js merges them).
import { useContext, useSyncExternalStore } from "react";
import { StateStoreContext } from "$/utils/context";
import { createFiles } from "$/public/room_files_core.js";

const lists = new WeakMap();

export function useRoomFiles(substate, limit) {
  const store = useContext(StateStoreContext);
  let list = lists.get(store);
  if (!list) {
    list = createFiles(store, substate, limit);
    lists.set(store, list);
  }
  return useSyncExternalStore(list.subscribe, list.get, list.get);
}
