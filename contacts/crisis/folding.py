"""Text as the crisis rules and the wording model read it: sentences of plain lower-case words."""

import re
import unicodedata

# Invisible characters that split a word without showing (zero-width space and joiners, word
# joiner, byte-order mark, soft hyphen, Mongolian vowel separator).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e"), None)
_APOSTROPHES = re.compile(r"['\u2018\u2019\u02bc\u0060\u00b4]")
_SENTENCE_END = re.compile(r"[.!?;]+(?=\s|$)|\n+")
_NOT_A_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> list[str]:
    """The text as the rules see it: a list of sentences, each lower-case words separated by one space.

    Full-width and other compatibility letters become plain ones (NFKC), invisible characters
    and apostrophes go ("don’t" is "dont"), accents go ("más" is "mas"), punctuation becomes a
    space. Sentences end at . ! ? ; or a line break.
    """
    text = unicodedata.normalize("NFKC", text).translate(_INVISIBLE)
    text = "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))
    text = _APOSTROPHES.sub("", text.casefold())
    sentences = (_NOT_A_WORD.sub(" ", part).strip() for part in _SENTENCE_END.split(text))
    return [sentence for sentence in sentences if sentence]
