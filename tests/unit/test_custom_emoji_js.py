"""assets/custom_emoji_core.js under Node: the custom emoji a page holds follow the snapshot at load and then
each change alone; the stylesheet draws exactly the known ones (a removed one loses its rule, and anything not
shaped as the server makes it is left out); the picker offers them as a "Custom" category and a pick is `:name:`."""

import json
from pathlib import Path

from tests.support.node import run_js

CORE = Path(__file__).resolve().parents[2] / "assets" / "custom_emoji_core.js"
KEY = "0123456789abcdef0123456789abcdef"

HARNESS = """
import { createEmojiMap, emojiRules, pickerCategories, pickedEmoji } from %(core)s;
const F = "_rx_state_";
const state = { auth: {} };
const listeners = [];
const store = { getSnapshot: (name) => state[name], subscribe: (name, fn) => listeners.push(fn) };
const apply = (delta) => {
  const next = { ...state.auth };
  for (const [key, value] of Object.entries(delta)) next[key + F] = value;
  state.auth = next;
  listeners.forEach((fn) => fn());
};
const KEY = %(key)s;
const out = {};
%(steps)s
console.log(JSON.stringify(out));
"""


def run(steps: str) -> dict:
    return run_js(HARNESS % {"core": json.dumps(CORE.as_uri()), "key": json.dumps(KEY), "steps": steps})


def test_the_map_follows_the_page_load_then_each_addition_and_removal():
    out = run("""
      const map = createEmojiMap(store, "auth");
      apply({ custom_emoji: { party: `/_files/emoji/party/${KEY}` } });
      out.loaded = map.get();
      apply({ custom_emoji_changed: { wave: `/_files/emoji/wave/${KEY}` } });
      out.added = map.get();
      apply({ custom_emoji_changed: { party: "" } });
      out.removed = map.get();
    """)
    assert out["loaded"] == {"party": f"/_files/emoji/party/{KEY}"}
    assert set(out["added"]) == {"party", "wave"}
    assert out["removed"] == {"wave": f"/_files/emoji/wave/{KEY}"}


def test_the_stylesheet_draws_known_emoji_only_and_nothing_odd():
    out = run("""
      const good = { party: `/_files/emoji/party/${KEY}`, "+1": `/_files/emoji/+1/${KEY}` };
      out.rules = emojiRules(good, "https://chat.example.com");
      out.none = emojiRules({}, "");
      out.odd = emojiRules({
        'x"]{}*{color:red': `/_files/emoji/x/${KEY}`,
        party: 'javascript:alert(1)")',
        wave: `/_files/emoji/wave/${KEY}") ; x{`,
      }, 'http://a"){}');
    """)
    rules = out["rules"].split("\n")
    assert rules[0].startswith('.custom-emoji[data-emoji="+1"],.custom-emoji[data-emoji="party"]{')
    assert "color:transparent" in rules[0]
    assert rules[2] == (
        f'.custom-emoji[data-emoji="party"]{{background-image:url("https://chat.example.com/_files/emoji/party/{KEY}")}}'
    )
    assert out["none"] == "" and out["odd"] == ""


def test_the_picker_offers_a_custom_category_and_a_pick_is_the_shortcode():
    out = run("""
      const categories = pickerCategories({ party_parrot: `/_files/emoji/party_parrot/${KEY}` }, "http://x");
      out.categories = categories;
      out.custom = pickedEmoji(categories[0].emojis[0]);
      out.native = pickedEmoji({ id: "smile", native: "😄" });
      out.empty = pickerCategories({}, "");
    """)
    emoji = out["categories"][0]["emojis"][0]
    assert out["categories"][0]["name"] == "Custom"
    assert emoji["keywords"] == ["party_parrot", "party", "parrot"]
    assert emoji["skins"] == [{"src": f"http://x/_files/emoji/party_parrot/{KEY}"}]
    assert (out["custom"], out["native"], out["empty"]) == (":party_parrot:", "😄", [])
