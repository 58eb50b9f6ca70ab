// DjangoChat RX: the lines of a room's Files panel, held in the browser (components/files.py): read when
// the panel opens, then each message's files as it is posted (room_files_core.js merges them).
import { useFollower } from "$/public/follower.js";
import { createFiles } from "$/public/room_files_core.js";

export function useRoomFiles(substate, limit) {
  return useFollower("files", (store) => createFiles(store, substate, limit));
}
