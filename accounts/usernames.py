# ruff: noqa: RUF001, RUF002, RUF003 -- look-alike letters are what this file is about
"""The canonical form of a username: names that a person would read as the same name share it.

`username_key` is the one definition of "the same username". The login lookup, the registration's
duplicate check, the per-username login throttle and the unique constraint on `User.username_key`
all use it, so no two of them can disagree (a dotless `ı` cannot open a fresh throttle bucket, and
`kıwi1` cannot register beside `kiwi1` and then log in as it).

The key is built in four steps:

1. NFKC: compatibility forms become their plain letters (fullwidth `ｋｉｗｉ`, ligatures `ﬁ`,
   mathematical `𝐤`, the Kelvin sign `K`, superscript digits). Django stores usernames NFKC too.
2. Unicode case folding (`str.casefold`, not `lower`): `ß` -> `ss`, `ſ` -> `s`, Greek final sigma.
3. Look-alikes from other scripts become the Latin letter they imitate (`_CONFUSABLES` below), on
   the decomposed form so that accents follow their letter: Cyrillic `а` for `a`, Greek `ο` for
   `o`, Cyrillic `ё` for `ë`. The dotless `ı` is read as `i`, and a dot above an `i` (Turkish `İ`
   folds to `i` + U+0307) is dropped: both differ from `i` by one dot, which the eye skips.
4. Invisible format characters (zero-width joiners, soft hyphens) are dropped; the result is NFC.

Hangul, kana, Han and every other script with no Latin look-alike pass through untouched: `민수`
keeps its own key (whether typed as syllables or as conjoining jamo, which NFKC composes), apart
from `minsu`. The table is a deliberate, small subset of Unicode's confusables (UTS #39): only
letters that pass for a Latin letter in ordinary fonts. Within Latin it does not conflate `l`, `I`
and `1` or `rn` and `m`, which would refuse too many honest names.

Changing this function changes who collides with whom: ship it with a data migration that
recomputes `username_key` for every row (as 0003 does), or existing users stop matching themselves.
"""

from __future__ import annotations

import unicodedata

# The longest key stored (User.username_key). Keys outgrow names (folding turns one letter into up
# to three: `ß` -> `ss`, `ΐ`), so 4x the 150 letters of a name; a longer key is refused, never cut.
MAX_KEY_LENGTH = 600

# One letter -> the Latin letter it passes for, keyed by the *case-folded* form (step 3 runs after
# folding, so a capital look-alike arrives as its small letter: Cyrillic `Н` as `н`, Greek `Ν` as
# `ν`). Where the capital and the small letter imitate different Latin letters (Greek `Η`/`η`: H/n,
# `Ν`/`ν`: N/v, `Υ`/`υ`: Y/u), the small letter wins: names are compared case-folded and mostly
# written small.
_CONFUSABLES: dict[str, str] = {
    # Cyrillic: small letters that look Latin, and small forms of capitals that do (в В, н Н, ...).
    "а": "a",  # U+0430
    "в": "b",  # U+0432, capital В
    "ь": "b",  # U+044C soft sign, capital Ь
    "с": "c",  # U+0441
    "ԁ": "d",  # U+0501 komi de
    "е": "e",  # U+0435
    "һ": "h",  # U+04BB shha
    "н": "h",  # U+043D, capital Н
    "і": "i",  # U+0456 byelorussian-ukrainian i
    "ӏ": "l",  # U+04CF palochka (its capital Ӏ folds here)
    "ј": "j",  # U+0458
    "к": "k",  # U+043A, capital К
    "м": "m",  # U+043C, capital М
    "п": "n",  # U+043F, small п passes for n in many fonts
    "о": "o",  # U+043E
    "р": "p",  # U+0440
    "ԛ": "q",  # U+051B
    "г": "r",  # U+0433, small г passes for r
    "ѕ": "s",  # U+0455 dze
    "т": "t",  # U+0442, capital Т
    "у": "y",  # U+0443
    "ү": "y",  # U+04AF straight u
    "ѵ": "v",  # U+0475 izhitsa
    "ԝ": "w",  # U+051D
    "х": "x",  # U+0445
    # Greek.
    "α": "a",  # U+03B1
    "β": "b",  # U+03B2, capital Β
    "ε": "e",  # U+03B5, capital Ε
    "η": "n",  # U+03B7 (capital Η would be H; see above)
    "ι": "i",  # U+03B9, capital Ι
    "κ": "k",  # U+03BA, capital Κ
    "μ": "m",  # U+03BC, capital Μ (NFKC turns the micro sign into this)
    "ν": "v",  # U+03BD (capital Ν would be N)
    "ο": "o",  # U+03BF
    "ρ": "p",  # U+03C1
    "τ": "t",  # U+03C4, capital Τ
    "υ": "u",  # U+03C5 (capital Υ would be Y)
    "γ": "y",  # U+03B3
    "χ": "x",  # U+03C7
    "ζ": "z",  # U+03B6, capital Ζ
    "ϲ": "c",  # U+03F2 lunate sigma
    "ϳ": "j",  # U+03F3 yot
    # Armenian.
    "հ": "h",  # U+0570
    "ո": "n",  # U+0578
    "օ": "o",  # U+0585
    "ս": "u",  # U+057D
    "զ": "q",  # U+0566
    # Latin letters that pass for another Latin letter by a missing or extra stroke.
    "ı": "i",  # U+0131 dotless i
    "ȷ": "j",  # U+0237 dotless j
    "ɩ": "i",  # U+0269 iota
    "ɑ": "a",  # U+0251 alpha
    "ɡ": "g",  # U+0261 script g
    "ᴀ": "a",  # small capitals, U+1D00...
    "ʙ": "b",
    "ᴄ": "c",
    "ᴅ": "d",
    "ᴇ": "e",
    "ɢ": "g",
    "ʜ": "h",
    "ɪ": "i",
    "ᴊ": "j",
    "ᴋ": "k",
    "ʟ": "l",
    "ᴍ": "m",
    "ɴ": "n",
    "ᴏ": "o",
    "ᴘ": "p",
    "ʀ": "r",
    "ꜱ": "s",
    "ᴛ": "t",
    "ᴜ": "u",
    "ᴠ": "v",
    "ᴡ": "w",
    "ʏ": "y",
    "ᴢ": "z",
}
_TABLE = str.maketrans(_CONFUSABLES)


def username_key(name: str) -> str:
    """The canonical form of `name` (see the module docstring); equal keys mean the same username.

    Pure and total: any string gives a key, which can be longer than the name (NFKC and folding
    expand some characters: `ß` to `ss`, `ﷺ` to 18 letters). Callers bound outside input first.
    """
    folded = unicodedata.normalize("NFKC", name).casefold()
    # Decomposed, the table sees base letters under their accents (Cyrillic ё is е + diaeresis, so
    # it meets Latin ë; Greek ό meets ó), and the dot that folding puts on Turkish İ stands alone.
    decomposed = unicodedata.normalize("NFD", folded).translate(_TABLE)
    # A dot above an i or a j is invisible (ı + dot, i + dot and i are one letter to the eye).
    decomposed = decomposed.replace("i\u0307", "i").replace("j\u0307", "j")
    visible = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Cf")
    return unicodedata.normalize("NFC", visible)
