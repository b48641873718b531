"""A personal name at a position: the one check both kg.extract.people and kg.extract.bodies need.

Here, below both, so that bodies can ask "does a name start here?" without importing people
(which builds on bodies).
"""

from __future__ import annotations

import re

from kg.extract import canonical
from kg.extract.context import Context

_SYLLABLE = re.compile(r"[^\W\d_]+")


def name_at(ctx: Context, pos: int) -> tuple[str, int] | None:
    """A personal name starting at pos: (name as written, end), or None."""
    words: list[tuple[int, int]] = []
    p, stopped = pos, False
    while len(words) < 4:
        m = _SYLLABLE.match(ctx.mtext, p)
        if m is None:
            break
        w = m.group()
        if not (w[0].isupper() and (len(w) == 1 or w[1:].islower())):
            break
        if words and w in canonical.name_stopwords():
            stopped = True  # a body or role word ends the name: "Lê Văn A Ủy viên …"
            break
        if not words and ctx.text[m.start():m.end()] not in canonical.surnames():
            return None  # most positions are not names: decide on the first word (checked again below)
        words.append((m.start(), m.end()))
        if ctx.mtext[m.end():m.end() + 1] != " ":
            break
        p = m.end() + 1
    if len(words) < 2 or ctx.text[words[0][0]:words[0][1]] not in canonical.surnames():
        return None
    end = words[-1][1]
    name = ctx.text[pos:end]
    if canonical.norm_key(name) in canonical.places()[0] or name in canonical.historical_figures():
        return None  # "Chủ tịch Hồ Chí Minh": history, not a post holder
    glued = ctx.mtext[end:end + 1].isalnum()
    fifth = not stopped and ctx.mtext[end:end + 1] == " " and ctx.mtext[end + 1:end + 2].isupper()
    if glued or fifth:
        return None  # glued to a word, or a fifth capitalised word: not a clean name
    return name, end
