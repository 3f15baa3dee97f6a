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
    """Text PDFs (sources.pdf)."""

    # A rule drawn by hand-rolled PDF writers wobbles by a fraction of a point; more than this
    # off the axis is a diagonal, not a rule.
    axis_slack: float = 0.8
    # A character's line box is its font's em square on the baseline: 88% above, 12% below, as
    # CJK fonts draw it; loose boxes of some fonts shrink to the glyph and drop out of their line.
    em_ascent: float = 0.88
    em_descent: float = 0.12
    # A page is a scan when its text cannot be read and one image covers at least this share of it.
    scan_image_share: float = 0.5
    # A page without text that draws at least this many paths draws its text as outlines, and is
    # read by OCR: the outlined pages of the reference report draw 328-691, one per word or
    # character; the tables of the samples 21-54 for their rules, and a blank page none.
    drawn_text_paths: int = 150
    # Render modes are read for this many characters only: a scanner's OCR layer is invisible
    # throughout, a text PDF's text never is.
    render_mode_sample: int = 24
    # Below this share of real characters (CJK, ASCII, CJK punctuation) a text layer is garbage:
    # CID fonts without a Unicode map give private-use or replacement codes.
    readable_share: float = 0.6
    # A page of at least `garbled_min_chars` characters of which fewer than `cjk_min_share` are
    # Chinese is garbage too: a font without a Unicode map whose codes PDFium takes as Latin
    # (!"#$%&' for the glyphs of a subset, as LibreOffice's PDFs read without their ToUnicode).
    # The reports' text pages are at least 23% Chinese (803 pages of the fixtures, samples, the
    # reference report and four generated corpora); a nearly blank page (a page number) is not judged.
    garbled_min_chars: int = 40
    cjk_min_share: float = 0.05


@dataclass(frozen=True)
class CharSettings:
    """Characters into lines and words (sources.chars)."""

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
    """Ruled tables from the page's rules (grids.lattice)."""

    # pdfplumber's defaults for snap, join and intersection tolerances and the shortest rule:
    # lattice.py reproduces pdfplumber's cells to the bit, so these must stay equal to them.
    snap: float = 3
    join: float = 3
    intersect: float = 3
    min_length: float = 3


@dataclass(frozen=True)
class GridSettings:
    """Grids of ruled tables (grids.ruled) and which form table each is (assign)."""

    # Cell borders of one grid line drawn by separate cells differ by up to the rule width plus
    # rounding (web-page prints draw each cell's own border): 2.5 pt joins them.
    edge_tolerance: float = 2.5
    # A grid is a form table when it carries two of that table's own labels.
    min_signature_hits: int = 2
    # A browser printing a table broken by a page break draws no rule where the break cut its
    # cells (the vertical rules just stop): three or more vertical rules ending at one height
    # with no rule across there mark an open edge of the table, closed with a rule.
    open_edge_rules: int = 3


@dataclass(frozen=True)
class TextEngineSettings:
    """Tables printed without rules (grids.text)."""

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
    # Lines of one rule-less table stand less than two line heights apart; a line this many of
    # its heights below the one above (a page number under the table) starts a new segment.
    table_gap: float = 2.5
    # Cells of a rule-less table stand apart by less than a character: words split at half a size.
    word_gap: float = 0.5
    # Row and column bounds reach this far past their outermost text.
    margin: float = 1.0
    # Numbers with no label beside them make a data line only when there are this many: one or
    # two lone numbers between dashes are a page number (- 4 -).
    min_numbers_without_label: int = 3


@dataclass(frozen=True)
class MatchSettings:
    """Printed labels against the form's (labels, match)."""

    # Scores are 0..1 label likenesses. Thresholds were set on the fixtures so that every
    # reworded label of real reports places and no label of a neighbouring row does.
    row_threshold: float = 0.72
    column_threshold: float = 0.75
    # Headers between two placed ones that leave them as many columns each name the column the
    # order leaves them at this likeness, when no other column's label is as like their own
    # cell's text: the order leaves no other column there, so the text need only not say
    # otherwise. Two characters of four in their places (科研期树 for 科研机构) or one of two
    # (其物 for 其他) are 0.3; one of four (科 for 科研机构, 0.24) names nothing.
    column_gap_threshold: float = 0.25
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
    """Section headings and the title (locate)."""

    # Section headings are short lines; prose starting with 二、 is longer.
    heading_max_chars: int = 40
    # The title is among the first lines of page 1.
    title_lines: int = 12
    # A title wraps onto at most three lines of nearly its own size.
    title_size_ratio: float = 0.9
    title_max_lines: int = 3


@dataclass(frozen=True)
class CheckSettings:
    """The form's arithmetic (checks)."""

    # Amounts are in 万元 with up to six decimals; sums of floats differ in the last bits only.
    tolerance: float = 1e-6


@dataclass(frozen=True)
class ScanSettings:
    """Pixels of a scanned page (sources.scan); sizes in points are turned into pixels at the dpi."""

    # Scans are printed at 150-200 dpi; rendering at 200 keeps 10 pt digits 20 px tall.
    dpi: float = 200
    # Scanners feed pages at most this crooked (degrees); beyond it the search would be slow.
    skew_limit: float = 3.0
    # The projection search: a coarse pass, then a fine one around the best angle (0.05° is
    # 1 px over 1,100 px, the width of a table at 200 dpi).
    skew_coarse_step: float = 0.25
    skew_fine_step: float = 0.05
    # Horizontal rules at least this share of the page's width measure what tilt is left (a
    # table's rules span 0.6-0.8 of it, a label's underline far less); a turned page is turned
    # again when they lean by `rule_tilt_pixels` or more over the page's width. A page the
    # projection left as it was is turned only from `rule_tilt_pixels_unturned`: a cell's box is
    # its rules' mean line, so at 3 px it lies 1.5 px off them at the table's ends, more than
    # the ink test's grown rules take up (1 px), and turning blurs the digits (seed 61: pages
    # turned by 0.07° for a 2 px lean had 45 more zeros read under `min_score`).
    rule_tilt_length: float = 0.3
    rule_tilt_pixels: float = 1.0
    rule_tilt_pixels_unturned: float = 3.0
    # Adaptive threshold: a neighbourhood a few strokes wide, and how much darker than the local
    # mean ink is (paper grain and JPEG noise stay below it).
    ink_block: int = 31
    ink_offset: int = 18
    # A ruling line is at least this share of the page's width (horizontal) or half of it of
    # the page's height (vertical): far longer than any stroke of a character.
    rule_min_fraction: float = 0.04
    # A blob smaller than this (points) is dust or a decimal point, not a stroke: digits are 7 pt tall.
    dust_size: float = 3.0
    # Red ink: red exceeds green and blue by this much.
    seal_red_margin: int = 50
    # Around a seal the red channel is stretched so that this level becomes black and
    # `seal_ink_min_red` paper: a seal's ink reads 160-220 in red (median about 195), print
    # under it 40-120, rules under it that JPEG's coarse colour planes tint red 120-160 (they
    # stay ink: 160 becomes 204, below the ink test's threshold beside paper).
    seal_print_red: int = 40
    seal_ink_min_red: int = 190
    # Pixels over which the stretch fades out around the seal's ink.
    seal_fade: int = 4
    # A stroke of a cell with more than this share of its pixels red may be the seal's own ink
    # left by the stretch: the cell is suspect. Print under the seal is tinted red only near the
    # seal's strokes.
    seal_stroke_share: float = 0.5
    # Seal ink beside the print farther than this share of the print's height (plus the fade's
    # reach) from its box cannot have faded a whole digit (a digit's width and the gap to the
    # next are less than its height): it is whitened, and the cell is not under the seal.
    seal_print_margin: float = 1.0
    # A stroke wider than twice this (points) is a blot: the strokes of table digits are at
    # most 1.6 pt wide in the scans' ink (bold titles 2 pt), dust specks 1.5 pt; a smudge of ink
    # over a cell is wider. The cell is suspect.
    smudge_half_width: float = 1.8
    # Dark enough to be print or a blot (grey level): paper reads 200-240, a shadowed edge 150.
    smudge_dark: int = 128
    # A cell whose only stroke is straight, at most this wide (points) and `mark_length` times
    # as long as wide, is a printed mark: lying (within `dash_slope` degrees) a dash, leaning up
    # to the right (within `slash_slopes`) a slash. No digit is one such stroke: a 1 stands
    # upright. The ink test's blur makes a 0.5 pt stroke 1.5-2.5 pt wide; digits are 7 pt tall.
    # It reads as — or /, as a text PDF's mark does (not_applicable), never as a digit.
    mark_width: float = 2.5
    mark_length: float = 2.5
    dash_slope: float = 15.0
    slash_slopes: tuple[float, float] = (30.0, 80.0)
    # Pixels kept clear of the rules around a cell's ink.
    border: int = 2
    # Before and after the digits (scan._beside_digits), in shares of the digits' height: digits
    # are the blobs at least `digit_height` of the tallest (a broken digit's pieces are shorter,
    # and the cell then has no clear sign); a minus sign is a flat bar at most `minus_thickness`
    # thick, `minus_length` long, its middle within `minus_middle` of the height from the top,
    # at most `minus_gap` before the first digit (a printed minus is 0.1 thick, 0.5 long, at
    # 0.55, 0.1 before); a decimal point or a speck of dust is at most `dot_size` across (a speck of
    # the scans is up to 7 px at 200 dpi, 0.37 of a digit).
    # Nothing stands before the digits when no pixel there is darker than the paper by
    # `faint_ink` of the digits' own contrast: a minus lost by the ink test is still darker (a
    # 2 px bar at 20 grey levels under the paper, blurred, is; 0.12 keeps 97% of the plain
    # numbers of table 二 clear on three scan seeds, 0.08 only 75%).
    digit_height: float = 0.6
    minus_thickness: float = 0.3
    minus_length: tuple[float, float] = (0.25, 1.0)
    minus_middle: tuple[float, float] = (0.35, 0.75)
    minus_gap: float = 0.8
    dot_size: float = 0.4
    faint_ink: float = 0.12
    # A speck of dust apart from the digits (scan._specks_apart) is at most `speck_size` of
    # their height across: the specks of the 150 dpi scans, blurred, measure up to 0.45 of a
    # digit (9 px beside 20 px digits), more than a decimal point's `dot_size`; no digit is so
    # small and round.
    speck_size: float = 0.5
    # A printed 0 is a ring (scan._ring): its hole at least `ring_hole_height` of its height, its
    # centre within `ring_hole_middle` of the blob's height and width. Measured on the clean
    # one-digit readings of six scans (seed 5757): 263 0s, holes 0.71-0.95 high, centred at
    # 0.45-0.56 down and 0.46-0.54 across; the one hole of a 6 0.41-0.57 high at 0.66-0.74
    # down, of a 9 0.41-0.53 at 0.28-0.35, of a 4 0.24-0.38; an 8 has two. Each bound alone
    # keeps every other digit out.
    ring_hole_height: float = 0.65
    ring_hole_middle: tuple[float, float] = (0.4, 0.6)
    # Blobs of at most this many pixels beside a dark speck are JPEG's ringing around it, not a
    # second blob (.14470 on a scan: a 6x5 px speck with three 1-px bits beside it).
    speck_noise: int = 2
    # The left edge of a blob (its first `minus_length[0]`) lying within these shares of the
    # digits' height is a minus the blur joined to the digit (-9 printed tight: one blob): the
    # sign is unclear, and a minus when that blob is also wider than a digit and its edge as
    # thin (`minus_thickness`) and as centred (`minus_middle`) as a minus.
    joined_minus_rows: tuple[float, float] = (0.3, 0.8)
    # A digit is at most this share of its height wide (printed digits 0.5-0.6; -9 joined: 1.7).
    digit_width: float = 0.8


@dataclass(frozen=True)
class OcrSettings:
    """The OCR engine (sources.ocr) and what may be published from it (verify)."""

    # The detector's input is at most this long (pixels): more only slows it, fewer merges lines.
    det_side: int = 960
    # Crops recognised in one call of the network, of widths within `batch_growth` of each other.
    batch: int = 16
    batch_growth: float = 1.3
    # A batch is padded to its widest crop, and to at least this width per height. The network's
    # cost grows with the width; rapidocr pads every crop to 320/48 (6.7), three times the width
    # of a cell's number. At 3 the cells of six generated scans read as at 6.7 (375 of 392 exact
    # with a score of 0.9 or more, against 376) in 43% of the time; at 2 the scores of small
    # digits drop (363).
    rec_min_ratio: float = 3.0
    # A line outside the tables longer than this many times its height is prose; only its first
    # `head_heights` heights are read, to see whether it opens with a heading's numbering.
    prose_line_heights: float = 22
    head_heights: int = 4
    # A narrow column of text (large type, wide margins) has prose lines shorter than that: a line
    # of a page's text column is prose too when longer than `column_line_heights`, no taller than
    # `column_line_size` of the page's median line (a title is set larger) and at least
    # `column_width_share` of the widest such line, and at least `column_lines` lines are (a
    # column, not one title line). Not on the title page: a title at the body's size that wraps
    # fills the column too (a generated reportlab scan lost its agency). On a generated docx scan
    # such pages have lines of 17-21 heights, every one read in full: a third of the recognition.
    column_line_heights: float = 12
    column_line_size: float = 1.2
    column_width_share: float = 0.85
    column_lines: int = 3
    # Correct readings of printed digits score 0.95-1.0 on the generated scans; every misreading
    # of a clean cell that the rules caught scored below 0.9. Confidence alone still publishes
    # nothing: the rules or a second reading must agree too.
    min_score: float = 0.9
    # A plain reading of a cell with nothing suspect about it that scores below `min_score` but
    # not below this is taken as clean where a second reading agrees; else it stays a doubt
    # and only the rules can take it. On the scans of seeds 9091, 4040 and 5151, 166 such
    # readings scored 0.53-0.9 and every one was as printed (155 read again alike); lower
    # scores held misreadings (2 read as 1 at 0.23, and under a seal 8 as 5 at 0.54): 0.6
    # leaves a margin.
    weak_min_score: float = 0.6
    # Ink no detected line covers is read when a blob stands this many of the page's detected
    # line boxes (the median) tall: a digit's ink is about 0.5 of its line's box, dust 0.1-0.2;
    # a 1 of a table set smaller than the prose around it 0.34 of the prose's box (at 0.35 the
    # 1s of table 二's first row, on a page of prose, were not read);
    # a blob taller or wider than the upper bound is a shadow or a seal's arc, not a character.
    # Blobs closer than `lone_ink_gap` heights are one word.
    lone_ink_heights: tuple[float, float] = (0.3, 1.2)
    lone_ink_gap: float = 0.5
    # A line outside the ruled cells is read alone as a word when it is a number, or when it may
    # be one misread (0 as U, ó, .o): at most this many characters and no hanzi. In a table
    # without rules such a cell had no reading of its own and no candidate for the rules.
    misread_word_chars: int = 3
    # A placed box (points) lies in a ruled cell when it reaches at most this far past its rules.
    within_cell: float = 1.0
    # A character of a line read as a whole reaches at most this many of the line's (detected)
    # height each side of its middle, for a wide glyph (a hanzi) and a narrow one (a digit): the
    # detector's box is 1.7 times as tall as the ink, which is about as wide as tall for a hanzi
    # and half that for a digit. At half the box's height for both, a group label ran into its
    # row's label ((四)无 2.没有…) and a number at a column's edge reached into the next column.
    glyph_half_widths: tuple[float, float] = (0.35, 0.2)
    # The font size of a line read as a whole, as a share of its detected box's height: a hanzi's
    # ink is 0.6 of the box and about 0.85 of its font size. At 0.9 the gap that splits words (half
    # a size, as in a text PDF) was so wide that a group label and its row's label ran together.
    line_font_size: float = 0.7
    # A cell whose ink stands taller than this many of the page's detected line boxes (the
    # median) may hold several lines: the detector is run on its image alone. One line's ink is
    # 0.6 of its box (the detector pads its boxes), two lines' ink 1.35 (自然 over 人 on a scan).
    stacked_line_heights: float = 1.0
    # A line the page's detector found outside the ruled cells taller than this many of its
    # lines (the median box) may be several lines taken for one: its image is detected alone.
    # Three characters printed downwards make a box 2.9 lines tall (本/年/度 on a scan).
    merged_line_heights: float = 1.6
    # One character's ink is at most this much of a line's box (the detector pads its boxes: one
    # line's ink is 0.6 of it), so the strokes of one character stack no taller.
    stacked_char_height: float = 0.8
    # Paper (pixels) put around a cell's image for the detector, which misses text at the border.
    cell_detect_pad: int = 16
    # Scanned pages of one report read at once, one thread each (onnxruntime runs one thread per
    # session call): by default one per core the report has (a batch's workers share the cores
    # out), at most this many. Whole pages run side by side with nothing to wait for, where
    # onnxruntime's own threads meet after every layer and spin while they wait: on a shared
    # machine those cost 50% more CPU and no time (a 6-page scan: 22 s CPU, 22 s wall, against
    # 14 s and 15 s for two pages at once). Pages are started before the heading that ends the
    # tables is read, so pages past it may be read in vain: more cores serve more reports better.
    max_page_threads: int = 4
    # Rounds of corrections: each settled cell can make a rule evaluable for the next (a column
    # of table 三 under a seal settles one cell a round through the row rules).
    max_rounds: int = 8
    # Passes of narrowing each unknown cell's bounds through the rules (verify._fixed): a pass
    # narrows every cell at once, and a block of table 三 under a seal settles in 2-4.
    bound_passes: int = 50


@dataclass(frozen=True)
class FormReadingSettings:
    """The form read from text alone, without grids (witness)."""

    # A number top-aligned in a tall row starts above a label centred in it: a line of numbers
    # still belongs to a label whose top is this many font sizes below the line's top.
    label_below_numbers: float = 0.6
    # Least likeness of a printed label with the form's row for the alignment to pair them:
    # lower than the grid matcher's row threshold, since the order of the form narrows the choice.
    pair_threshold: float = 0.6
    # A number stands in a column when its middle is nearer that column's middle than this share
    # of the distance between neighbouring columns (web rows' own colspans move it by a quarter).
    column_reach: float = 0.45
    # Gap, in font sizes, that ends a label word in table 三: wider than the space between the
    # characters of a label, narrower than the padding between a group label and a row label.
    label_gap: float = 0.5
    # A wrapped label line continues the label above it when it starts no further left than this.
    continuation_slack: float = 2.0
    # The lines of a wrapped header label (自然 / 人) stand under one another, centred: their
    # middles this many font sizes apart at most, and a web page's line spacing (1.75 and more)
    # between them: up to this many font sizes from one line's foot to the next one's top.
    header_stack_shift: float = 0.6
    header_stack_gap: float = 2.5
    # A label pairs with a group printed as one row (（六）其他处理) at this share of its likeness,
    # so that a tie goes to the sub-rows, whose group label reads the same.
    alternative_row_discount: float = 0.99


@dataclass(frozen=True)
class MarkupSettings:
    """Limits of the web page and Word sources: past them the file is hostile or not a report,
    and it fails in bounded time and memory instead of being parsed."""

    # A report page is well under 2 MB even with Word's markup; past this it is something else
    # (embedded images, a dump), and parsing it would cost seconds and hundreds of MB.
    max_page_bytes: int = 20 * 1024 * 1024
    # The five real report pages have 900 to 1,800 elements and 260 to 300 table cells. Past these
    # a page is not a report, and its tree and matching would take gigabytes and minutes.
    max_page_elements: int = 200_000
    max_table_cells: int = 20_000
    # Layout tables nest a few deep; libxml2 stops building the tree a few hundred levels down,
    # so a page nested deeper than this cannot be read whole.
    max_table_nesting: int = 32
    # A rowspan or colspan beyond this is corrupt markup, not a table (the form has 17 columns).
    max_span: int = 1000
    # The body of a Word report is a few hundred kB of XML, a few MB with long prose; a part
    # unpacking to more is a zip bomb. Reads stop at the limit whatever the zip's headers claim.
    max_part_bytes: int = 64 * 1024 * 1024
    max_word_file_bytes: int = 100 * 1024 * 1024  # the packed file, images included
    # LibreOffice converts a .doc report in a few seconds.
    convert_seconds: float = 60.0


@dataclass(frozen=True)
class CompareSettings:
    """Year-over-year comparison (output.compare)."""

    # A change is large when it is at least half of the earlier value and at least 10: a township
    # going from 2 requests to 4 doubles, but that is not news; a city going from 1,200 to 2,000
    # is. A change from 0 is large when it reaches the minimum.
    large_share: float = 0.5
    large_minimum: float = 10


@dataclass(frozen=True)
class Settings:
    """Every stage's settings; DEFAULT holds the defaults."""

    pdf: PdfSettings = field(default_factory=PdfSettings)
    chars: CharSettings = field(default_factory=CharSettings)
    lattice: LatticeSettings = field(default_factory=LatticeSettings)
    grid: GridSettings = field(default_factory=GridSettings)
    text_engine: TextEngineSettings = field(default_factory=TextEngineSettings)
    match: MatchSettings = field(default_factory=MatchSettings)
    locate: LocateSettings = field(default_factory=LocateSettings)
    checks: CheckSettings = field(default_factory=CheckSettings)
    scan: ScanSettings = field(default_factory=ScanSettings)
    ocr: OcrSettings = field(default_factory=OcrSettings)
    form_reading: FormReadingSettings = field(default_factory=FormReadingSettings)
    markup: MarkupSettings = field(default_factory=MarkupSettings)
    compare: CompareSettings = field(default_factory=CompareSettings)


DEFAULT = Settings()
