"""A stable key for the reporting body, so that one body links across years.

Titles name the same body in slightly different ways from year to year:
`云溪市云湖区人民政府` and `云湖区人民政府`, `云湖区政府办公室` and
`云湖区人民政府办公室`, `（本级）` and `(本级)`, stray spaces. `agency_key`
removes those differences and nothing else:

merged
    - whitespace (also full-width), and full-width forms of ASCII (NFKC);
    - brackets: （）, [], 【】, 〔〕 and ［］ all become ();
    - 办公厅 and 办公室; 政府办 and 政府办公室;
    - 政府 and 人民政府 (`淮安市政府` is `淮安市人民政府`);
    - the administrative prefix of the parent body: a name that starts with a chain
      of places (`江苏省淮安市`, `云溪市云湖区`) keeps only the last place of the chain.

not merged
    - renamed bodies (`教育局` becoming `教育体育局`), merged or split bodies;
    - a department and its office (`云湖区人民政府` and `云湖区人民政府办公室`);
    - abbreviations other than those above (`市人社局`, `区府办`).

Dropping the parent's prefix means that two places of the same name under
different parents (朝阳区 of 北京市 and of 长春市) share a key. The full
`agency` stays beside the key, and `gongkai summary` lists agency-years that
occur more than once, which is where such a collision shows.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = str.maketrans(dict.fromkeys("【〔［[", "(") | dict.fromkeys("】〕］]", ")"))

# One administrative division at the start of a name: a short place name and its level.
# The name part excludes 和 and the 城乡 of 住房和城乡建设局, so that a department's name is
# never read as a place.
_PLACE = re.compile(
    r"(?P<place>(?:(?!城乡)[^\s()和])"
    r"{2,4}?(?:省|自治区|特别行政区|自治州|地区|市|盟|自治县|县|旗|区|街道|镇|乡))"
)


def _place_chain(name: str) -> list[str]:
    """The places a name starts with, outermost first.

    江苏省淮安市清江浦区教育局 gives 江苏省, 淮安市, 清江浦区.
    """
    places: list[str] = []
    at = 0
    while True:
        match = _PLACE.match(name, at)
        if match is None:
            break
        rest = name[match.end() :]
        # A place must be followed by something: another place, its government or a department.
        if not rest:
            break
        places.append(match["place"])
        at = match.end()
    return places


def agency_key(agency: str | None) -> str:
    """The normalised name of the reporting body; empty for none.

    >>> agency_key("江苏省 淮安市政府办公厅")
    '淮安市人民政府办公室'
    """
    if not agency:
        return ""
    name = unicodedata.normalize("NFKC", agency).translate(_BRACKETS)
    name = re.sub(r"\s+", "", name)
    name = name.replace("办公厅", "办公室")
    name = re.sub(r"政府办(?!公室|事处)", "政府办公室", name)
    name = re.sub(r"(?<!人民)政府", "人民政府", name)
    places = _place_chain(name)
    if len(places) > 1:
        name = name[sum(len(p) for p in places[:-1]) :]
    return name
