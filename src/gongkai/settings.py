"""Every tolerance of the pipeline, grouped by stage, each with the reason for its value.

Sizes are in points (1/72 inch) unless they say "font sizes". Like pdfplumber's
`TableSettings`, the groups are plain frozen dataclasses: a source with other
geometry (OCR word boxes, say) makes its own preset with `dataclasses.replace`
and hands it to the stages that take one.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PdfSettings:
    # A rule drawn by hand-rolled PDF writers wobbles by a fraction of a point; more than this
    # off the axis is a diagonal, not a rule.
    axis_slack: float = 0.8
    # A character's line box is its font's em square on the baseline: 88% above, 12% below, as
    # CJK fonts draw it; loose boxes of some fonts shrink to the glyph and drop out of their line.
    em_ascent: float = 0.88
    em_descent: float = 0.12


@dataclass(frozen=True)
class CharSettings:
    # Word and WPS draw fake bold as the same glyph twice, a quarter of the font size apart at
    # most; under 0.8 pt two characters of tiny type would merge with their real neighbours.
    double_fraction: float = 0.25
    double_min: float = 0.8
    # Two characters share a line when they overlap by half the smaller height: the staggered
    # lines of neighbouring header cells overlap by less.
    line_overlap: float = 0.5
    # A gap wider than this many font sizes is a space in the text.
    space_gap: float = 0.6
    # A gap wider than this many font sizes splits a line into words (cells of one row).
    word_gap: float = 1.2
    # A glyph belongs to the cell where its first 30% lies: a trailing 、 overflows the rule.
    anchor_fraction: float = 0.3


@dataclass(frozen=True)
class LatticeSettings:
    # pdfplumber's defaults for snap, join and intersection tolerances and the shortest rule:
    # lattice.py reproduces pdfplumber's cells to the bit, so these must stay equal to them.
    snap: float = 3
    join: float = 3
    intersect: float = 3
    min_length: float = 3


@dataclass(frozen=True)
class GridSettings:
    # Cell borders of one grid line drawn by separate cells differ by up to the rule width plus
    # rounding (web-page prints draw each cell's own border): 2.5 pt joins them.
    edge_tolerance: float = 2.5
    # A grid is a form table when it carries two of that table's own labels.
    min_signature_hits: int = 2


@dataclass(frozen=True)
class TextEngineSettings:
    # Label words starting this close share a label column (centred labels drift by a few points).
    label_column_tolerance: float = 4.0
    # A label column needs two rows starting at it; one indented label is no column.
    min_label_column_support: int = 2
    # Value words of one column overlap, or nearly: right-aligned numbers differ by a glyph width.
    value_column_join: float = 1.0
    # A header word left of the first value column by this much still heads the values.
    header_reach: float = 2.0
    # A line this close to a heading's top is that heading.
    heading_slack: float = 2.0
    # Cells of a rule-less table stand apart by less than a character: words split at half a size.
    word_gap: float = 0.5
    # Row and column bounds reach this far past their outermost text.
    margin: float = 1.0


@dataclass(frozen=True)
class MatchSettings:
    # Scores are 0..1 label likenesses. Thresholds were set on the fixtures so that every
    # reworded label of real reports places and no label of a neighbouring row does.
    row_threshold: float = 0.72
    column_threshold: float = 0.75
    # The best row must beat the runner-up by this much, else the label is ambiguous.
    margin: float = 0.08
    # Likeness blends character overlap (robust to typos) with jieba token overlap (robust to
    # reordered words).
    ratio_weight: float = 0.6
    token_weight: float = 0.4
    # The same numbering (（三）, 2.) is weak evidence for a row.
    numeral_bonus: float = 0.03
    # A row inside the group cell it is printed under is preferred; outside it is penalised.
    group_bonus: float = 0.05
    # An outer header naming the column's own parent nudges up; a rival parent rules it out.
    parent_agrees: float = 0.1
    parent_disagrees: float = -0.3
    # 结/果/维/持: a narrow column prints one character per line.
    max_header_lines: int = 8


@dataclass(frozen=True)
class LocateSettings:
    # Section headings are short lines; prose starting with 二、 is longer.
    heading_max_chars: int = 40
    # The title is among the first lines of page 1.
    title_lines: int = 12
    # A title wraps onto at most three lines of nearly its own size.
    title_size_ratio: float = 0.9
    title_max_lines: int = 3


@dataclass(frozen=True)
class CheckSettings:
    # Amounts are in 万元 with up to six decimals; sums of floats differ in the last bits only.
    tolerance: float = 1e-6


@dataclass(frozen=True)
class Settings:
    pdf: PdfSettings = field(default_factory=PdfSettings)
    chars: CharSettings = field(default_factory=CharSettings)
    lattice: LatticeSettings = field(default_factory=LatticeSettings)
    grid: GridSettings = field(default_factory=GridSettings)
    text_engine: TextEngineSettings = field(default_factory=TextEngineSettings)
    match: MatchSettings = field(default_factory=MatchSettings)
    locate: LocateSettings = field(default_factory=LocateSettings)
    checks: CheckSettings = field(default_factory=CheckSettings)


DEFAULT = Settings()
