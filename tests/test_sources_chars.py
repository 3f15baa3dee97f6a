"""Characters into text: fake-bold doubles, visual lines, spaces and words, on hand-laid characters."""

from __future__ import annotations

from gongkai.model import Char
from gongkai.sources.chars import block_text, dedupe_chars, group_lines, line_text, split_words, text_lines

from .builders import digits, text


def shifted(chars: list[Char], dx: float, dy: float = 0.0) -> list[Char]:
    return [c._replace(x0=c.x0 + dx, x1=c.x1 + dx, top=c.top + dy, bottom=c.bottom + dy) for c in chars]


def test_fake_bold_doubles_are_dropped_and_the_first_drawing_kept():
    title = text("主动公开", 100, 50)
    bold = [c for pair in zip(title, shifted(title, 0.3, 0.3), strict=True) for c in pair]
    kept = dedupe_chars(bold)
    assert kept == title


def test_repeated_characters_side_by_side_are_kept():
    # 100 and 00 in neighbouring positions: the same glyph, but a glyph's width apart.
    zeros = digits("1000", 300, 120)
    assert dedupe_chars(zeros) == zeros
    assert dedupe_chars(text("政府政府", 50, 50)) == text("政府政府", 50, 50)


def test_fake_bold_repeated_characters_lose_their_doubles_only():
    zeros = digits("1000", 300, 120)
    bold = [c for pair in zip(zeros, shifted(zeros, 0.3), strict=True) for c in pair]
    assert dedupe_chars(bold) == zeros


def test_a_double_lies_close_in_both_directions():
    # The same glyph 3 pt lower in 10 pt type (tolerance 2.5 pt) is another character.
    upper = text("0", 300, 120)
    assert dedupe_chars(upper + shifted(upper, 0.0, 3.0)) == upper + shifted(upper, 0.0, 3.0)


def test_a_double_is_the_same_text_only():
    # Different glyphs overprinted (a struck-through figure, an overlay mark) are all kept.
    one, slash = Char("1", 300, 120, 305, 130, 10.0), Char("/", 300.2, 120, 305.2, 130, 10.0)
    assert dedupe_chars([one, slash]) == [one, slash]


def test_the_double_tolerance_scales_with_the_font_size():
    # A quarter of the font size: 2 pt apart is a double in 12 pt type, not in 6 pt type.
    large = text("计", 100, 50, size=12.0)
    assert dedupe_chars(large + shifted(large, 2.0)) == large
    small = text("计", 100, 50, size=6.0)
    assert dedupe_chars(small + shifted(small, 2.0)) == small + shifted(small, 2.0)


def test_tiny_type_still_merges_doubles_closer_than_the_floor():
    # 2 pt type: a quarter of it is 0.5 pt, but doubles up to 0.8 pt apart are still doubles.
    tiny = text("数", 100, 50, size=2.0)
    assert dedupe_chars(tiny + shifted(tiny, 0.7)) == tiny
    assert len(dedupe_chars(tiny + shifted(tiny, 0.9))) == 2


def test_doubles_across_bucket_borders_are_found():
    # Positions either side of a multiple of the tolerance (2.5 pt for 10 pt type) land in
    # neighbouring buckets; the double is still found, in every direction.
    original = Char("表", 99.9, 49.9, 109.9, 59.9, 10.0)
    for dx, dy in ((0.3, 0.3), (-0.3, 0.3), (0.3, -0.3), (0.0, 0.4)):
        double = shifted([original], dx, dy)[0]
        assert dedupe_chars([original, double]) == [original]


def test_characters_are_grouped_into_lines_left_to_right():
    first = text("二、主动公开", 50, 100)
    second = text("政府信息情况", 50, 115)
    chars = [*reversed(second), *first[3:], *first[:3]]
    assert group_lines(chars) == [first, second]


def test_a_line_whose_glyphs_jitter_reads_left_to_right():
    # The first glyph sits half a point low: reading order by height alone would put it last.
    line = text("规", 50, 100.5) + text("章", 60, 100)
    assert group_lines(line[::-1]) == [line]


def test_a_line_of_mixed_sizes_is_one_line():
    # Numbers in a smaller size on the baseline of the label share its line.
    label = text("规章", 50, 100, size=12.0)
    number = digits("12", 200, 103, size=9.0)
    assert group_lines(number + label) == [label + number]


def test_staggered_header_cells_do_not_chain_into_one_line():
    # 自然 / 人 beside 商业 / 企业 beside 科研 / 机构, each cell's lines 4 pt lower than the one
    # before: each line overlaps its neighbour's, but not the first line's average box.
    a = text("自然", 100, 100)
    b = text("商业", 130, 104)
    c = text("科研", 160, 108)
    lines = group_lines(a + b + c)
    assert lines == [a + b, c]


def test_line_text_puts_a_space_only_at_a_wide_gap():
    assert line_text(text("本年 新收", 50, 100)) == "本年 新收"  # a gap of one character
    tight = text("本年", 50, 100) + text("新收", 75.5, 100)  # a gap of 5.5 pt, 0.55 sizes
    assert line_text(tight) == "本年新收"
    assert line_text(text("本年", 50, 100) + text("新收", 76.5, 100)) == "本年 新收"


def test_text_lines_and_block_text_keep_the_lines_apart():
    chars = text("（二）部分公开", 50, 100) + text("（区分处理的）", 50, 115)
    lines = text_lines(chars)
    assert [(line.text, line.x0, line.top, line.x1, line.bottom) for line in lines] == [
        ("（二）部分公开", 50.0, 100.0, 120.0, 110.0),
        ("（区分处理的）", 50.0, 115.0, 120.0, 125.0),
    ]
    assert block_text(chars) == "（二）部分公开\n（区分处理的）"


def test_words_split_at_gaps_wider_than_the_word_gap():
    # 1.2 sizes (12 pt) by default: 13 pt apart are two words, 9 pt apart one.
    line = text("规章", 50, 100) + digits("12", 200, 100) + digits("3", 240, 100) + digits("45", 258, 100)
    words = split_words(line)
    assert [(w.text, w.x0, w.x1) for w in words] == [
        ("规章", 50.0, 70.0),
        ("12", 200.0, 210.0),
        ("3", 240.0, 245.0),
        ("45", 258.0, 268.0),
    ]
    assert words[0].chars == tuple(line[:2])
    close = digits("3", 240, 100) + digits("45", 254, 100)
    assert [w.text for w in split_words(close)] == ["345"]
    # The text engine splits at half a size: cells of a rule-less table stand closer.
    assert [w.text for w in split_words(close, gap=0.5)] == ["3", "45"]
