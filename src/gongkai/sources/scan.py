"""The geometry of a scanned page: deskew, ruling lines, ink and seals, with OpenCV.

Everything here works on pixels and knows nothing of OCR. `ocr` turns the lines it
finds into the same `Edge`s a text PDF's rules give, so `lattice` rebuilds the
cells of a scanned table exactly as it does those of a drawn one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from ..model import BBox, Edge
from ..settings import DEFAULT

_SETTINGS = DEFAULT.scan
# The side (pixels) of the square the seal's fade dilates its ink by, and then blurs over.
_FADE_REACH = 2 * _SETTINGS.seal_fade + 1


def _fade_reach(seal: np.ndarray) -> np.ndarray:
    """Where the seal's fade reaches (uint8 1s): its ink dilated by `_FADE_REACH`."""
    return cv2.dilate(seal.astype(np.uint8), np.ones((_FADE_REACH, _FADE_REACH), np.uint8))


@dataclass(frozen=True)
class PageImage:
    """A page image after deskewing: the grey the OCR reads, ink and rule masks, the seal's mask."""

    grey: np.ndarray  # uint8: the red channel of a colour scan, a seal's own ink lifted out
    ink: np.ndarray  # bool, dark strokes, rules included
    horizontal: np.ndarray  # bool, the horizontal ruling lines
    vertical: np.ndarray  # bool, the vertical ruling lines
    rules: np.ndarray  # bool, both
    seal: np.ndarray  # bool, red ink
    dpi: float
    skew: float  # degrees the scan was turned back

    @property
    def scale(self) -> float:
        """Points per pixel."""
        return 72.0 / self.dpi


def _ink(grey: np.ndarray) -> np.ndarray:
    return (
        cv2.adaptiveThreshold(
            grey,
            255,
            cv2.ADAPTIVE_THRESH_MEAN_C,
            cv2.THRESH_BINARY_INV,
            _SETTINGS.ink_block,
            _SETTINGS.ink_offset,
        )
        > 0
    )


def _skew(ink: np.ndarray) -> float:
    """The angle that lines the ink up best with the rows: the projection profile's sharpest peak."""
    small = cv2.resize(ink.astype(np.uint8) * 255, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    h, w = small.shape
    centre = (w / 2, h / 2)

    def sharpness(angle: float) -> float:
        turned = cv2.warpAffine(small, cv2.getRotationMatrix2D(centre, angle, 1.0), (w, h))
        profile = turned.sum(axis=1, dtype=np.float64)
        return float(np.square(np.diff(profile)).sum())

    coarse = np.arange(-_SETTINGS.skew_limit, _SETTINGS.skew_limit + 1e-9, _SETTINGS.skew_coarse_step)
    best = max(coarse, key=sharpness)
    fine = np.arange(
        best - _SETTINGS.skew_coarse_step, best + _SETTINGS.skew_coarse_step + 1e-9, _SETTINGS.skew_fine_step
    )
    return round(float(max(fine, key=sharpness)), 6)  # 0, not the -5.6e-17 the steps add up to


def _rules(ink: np.ndarray, seal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: ink runs far longer than any stroke of a character.

    Where a seal's ink crosses a rule, its stretch (`_without_seal`) fades the rule's pixels
    under it to paper with the seal's: the rule is cut there, and the piece between the cut and
    the next crossing rule may be too short to be found as a rule at all (a ring crossing the
    rule between a label and its first value merged the two cells). A rule is therefore also
    found through the seal's ink (`_through_seal`)."""
    h, w = ink.shape
    mask = ink.astype(np.uint8)
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, int(w * _SETTINGS.rule_min_fraction)), 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, int(h * _SETTINGS.rule_min_fraction / 2))))
    horizontal = cv2.morphologyEx(mask, cv2.MORPH_OPEN, across) > 0
    vertical = cv2.morphologyEx(mask, cv2.MORPH_OPEN, down) > 0
    if seal.any():
        # The fade reaches past the seal's own pixels (a rule's print under the seal's ink is
        # not red, and faded there it is no ink either): the seal grown by that reach bridges it.
        bridged = (ink | (_fade_reach(seal) > 0)).astype(np.uint8)
        horizontal = _through_seal(horizontal, cv2.morphologyEx(bridged, cv2.MORPH_OPEN, across) > 0, 0)
        vertical = _through_seal(vertical, cv2.morphologyEx(bridged, cv2.MORPH_OPEN, down) > 0, 1)
    return horizontal, vertical


def _through_seal(found: np.ndarray, bridged: np.ndarray, axis: int) -> np.ndarray:
    """The rules `found` in the ink, carried on along their own lines through the seal's ink.

    `bridged` are the runs as long as a rule in ink and seal together. Of them only those that
    carry on a rule found in the ink are taken, and of each only the lines across it (rows of a
    horizontal rule, `axis` 0; columns of a vertical one, `axis` 1) that rule's own ink lies on:
    a seal's ring or star alone is no rule, nor does its blot beside a rule widen it."""
    count, labels = cv2.connectedComponents(bridged.astype(np.uint8), connectivity=8)
    if count <= 1:
        return found
    ys, xs = np.nonzero(found)
    key = labels[ys, xs].astype(np.int64) * found.shape[axis] + (ys if axis == 0 else xs)
    own_lines = np.unique(key[labels[ys, xs] > 0])
    ys, xs = np.nonzero(bridged)
    candidate = labels[ys, xs].astype(np.int64) * found.shape[axis] + (ys if axis == 0 else xs)
    keep = np.isin(candidate, own_lines)
    carried = found.copy()
    carried[ys[keep], xs[keep]] = True
    return carried


def prepare(image: np.ndarray, dpi: float) -> PageImage:
    """Deskew a rendered page (RGB or grey) and find its ink, rules and seal.

    The ink's projection profile gives the angle (`_skew`); where the page has ruling lines,
    their own slope then sets it to a hundredth of a degree (`_rule_tilt`): a table left turned
    by a quarter of a degree runs 6 px higher at one end than at the other, and its cells' boxes
    (the rules' mean lines) miss their rules at the ends."""
    if image.ndim == 3:
        grey, seal = _without_seal(image)
    else:
        seal = np.zeros(image.shape, dtype=bool)
        grey = image
    angle = _skew(_ink(grey))
    page = _turned(grey, seal, angle, dpi)
    lean = abs(math.radians(tilt := _rule_tilt(page.horizontal))) * grey.shape[1]
    # Turning blurs the digits a little (an interpolation), once however far: a page the
    # projection left as it was is turned only for a lean its cells' boxes cannot take.
    if lean >= (_SETTINGS.rule_tilt_pixels if angle else _SETTINGS.rule_tilt_pixels_unturned):
        page = _turned(grey, seal, angle + tilt, dpi)
    return page


def _turned(grey: np.ndarray, seal: np.ndarray, angle: float, dpi: float) -> PageImage:
    """The page turned back by `angle` degrees, its ink and rules found."""
    if angle:
        h, w = grey.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        seal = cv2.warpAffine(seal.astype(np.uint8), matrix, (w, h), flags=cv2.INTER_NEAREST) > 0
    ink = _ink(grey)
    horizontal, vertical = _rules(ink, seal)
    return PageImage(grey, ink, horizontal, vertical, horizontal | vertical, seal, dpi, angle)


def _rule_tilt(horizontal: np.ndarray) -> float:
    """The degrees the long horizontal rules still lean by (the median of their fitted slopes,
    positive down to the right, as the page is to be turned further); 0 with no such rule.

    The projection search is not that precise: it compares the page turned by each angle, and
    every turn but by 0 blurs the ink a little, which makes 0 look sharper than it is (a page
    scanned 0.27° askew was left as it was)."""
    count, labels, stats = cv2.connectedComponentsWithStats(horizontal.astype(np.uint8), connectivity=8)[:3]
    slopes = []
    for index in range(1, count):
        x, y, width, height = stats[index, :4]
        if width < _SETTINGS.rule_tilt_length * horizontal.shape[1]:
            continue
        ys, xs = np.nonzero(labels[y : y + height, x : x + width] == index)
        slopes.append(math.degrees(math.atan(np.polyfit(xs, ys, 1)[0])))
    return float(np.median(slopes)) if slopes else 0.0


def _without_seal(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The grey a colour scan is read in, with a red seal's ink faded to paper, and the seal's mask.

    Red ink is light in the red channel and black print is dark there, also under the seal: the
    red channel is the grey the page is read in. Around the seal its tones are stretched so that
    the seal's ink (red 160-220) becomes paper while print (under 120, also where JPEG's coarse
    colour planes tint it red) stays dark. The stretch fades out over a few pixels around the
    seal, so that no edge of its own is drawn that a recogniser could read as a stroke.
    """
    red, green, blue = (rgb[:, :, i].astype(np.int16) for i in range(3))
    seal = (red - np.maximum(green, blue)) > _SETTINGS.seal_red_margin
    grey = rgb[:, :, 0].copy()
    if not seal.any():
        return grey, seal
    weight = cv2.GaussianBlur(_fade_reach(seal).astype(np.float32), (_FADE_REACH, _FADE_REACH), 0)
    low, high = _SETTINGS.seal_print_red, _SETTINGS.seal_ink_min_red
    stretched = np.clip((red - low) * (255.0 / (high - low)), 0, 255)
    grey = (red * (1 - weight) + stretched * weight).round().astype(np.uint8)
    return grey, seal


def rule_edges(page: PageImage) -> list[Edge]:
    """The ruling lines as Edges in points, one per connected run of rule pixels."""
    edges: list[Edge] = []
    scale = page.scale
    for orientation, mask in (("h", page.horizontal), ("v", page.vertical)):
        count, _labels, stats, _ = cv2.connectedComponentsWithStats(mask.astype(np.uint8), connectivity=8)
        for x, y, width, height, _area in stats[1:count]:
            if orientation == "h":
                top = (y + height / 2) * scale
                edges.append(Edge("h", x * scale, top, (x + width) * scale, top, width * scale))
            else:
                left = (x + width / 2) * scale
                edges.append(Edge("v", left, y * scale, left, (y + height) * scale, height * scale))
    return edges


@dataclass(frozen=True)
class CellInk:
    """What the pixels of one cell show, rules taken out."""

    crop: np.ndarray  # grey, rules whitened, for the recogniser; empty when the cell has no ink
    has_ink: bool
    touches_rule: bool  # ink running into the cell's border: a digit may be cut or a stroke may be a rule
    sealed: bool  # a stroke of red ink in the cell: the seal's own, not print
    smudged: bool = False  # ink far thicker than a stroke: a blot that may hide or fake a digit
    mark: str = ""  # "—" or "/": one thin straight stroke, lying or leaning, and nothing else
    # The seal's red ink near the print (`_near_print`), even where its stretch faded it: the
    # faded seal may have taken part of a digit with it (a 2 read as 3 by every reading of those
    # pixels). Seal ink farther off is whitened from the crop and no doubt about the cell.
    under_seal: bool = False
    # What stands left of the digits, told by its shape: "-" one short bar at mid-height (a
    # minus sign), "" no ink at all, not even too faint for the ink test; "?" anything else.
    lead: str = "?"
    # After the digits, one blob of a decimal point's size and nothing else (dust, or a point).
    dot_after: bool = False
    origin: tuple[int, int] = (0, 0)  # the crop's top left corner in the page image (x, y pixels)
    strokes_box: tuple[int, int, int, int] = (0, 0, 0, 0)  # where the ink is, in the page's pixels
    # Round blobs of a dot's size apart from the digits, on any side: specks of dust (a count has
    # nothing beside its digits).
    specks: int = 0
    # The print is one ring, as a 0 is printed (`_ring`): told by its shape alone, a witness for
    # a 0 that the recogniser misread (a speck at its foot read as 9, seal ink beside it).
    ring: bool = False


def cell_ink(page: PageImage, bbox: BBox) -> CellInk:
    """Cut one cell (a box in points) out of the page and test its ink."""
    scale = page.scale
    h, w = page.grey.shape
    x0, y0 = max(0, int(bbox[0] / scale)), max(0, int(bbox[1] / scale))
    x1, y1 = min(w, int(bbox[2] / scale) + 1), min(h, int(bbox[3] / scale) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return CellInk(np.zeros((0, 0), np.uint8), False, False, False)
    rules = page.rules[y0:y1, x0:x1]
    grown = _grown_rules(page.rules, x0, y0, x1, y1)
    ink = page.ink[y0:y1, x0:x1] & ~grown
    strokes = _strokes(ink, grown, page.dpi)
    seal = page.seal[y0:y1, x0:x1] & ~grown
    if not strokes.any():
        # Seal ink over a cell with no stroke left: the seal's fade may have taken all its print
        # (a 2 under the seal's ring came out blank), so it is no blank to trust.
        return CellInk(np.zeros((0, 0), np.uint8), False, False, False, under_seal=bool(seal.any()))
    near, away = _near_print(strokes, seal)
    if near is not None:
        # The seal's strokes away from the print are neither read nor a doubt about it, unless
        # nothing of stroke size is left without them (dust they alone kept beside them).
        printed = _strokes(ink & ~away, grown, page.dpi)
        if printed.any():
            strokes = printed
        else:
            near = None
    sealed = _seal_stroke(strokes, seal)
    under_seal = bool((seal if near is None else seal & near).any())
    touches = bool((cv2.dilate(strokes.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)[grown].any())
    pixels_per_point = page.dpi / 72
    # Half the width of the thickest dark stroke: the distance of its middle from the paper (the
    # ink test hollows a blot out: inside it nothing is darker than around it).
    dark = (page.grey[y0:y1, x0:x1] < _SETTINGS.smudge_dark) & ~grown
    thickest = cv2.distanceTransform(dark.astype(np.uint8), cv2.DIST_L2, 3).max()
    smudged = bool(thickest > _SETTINGS.smudge_half_width * pixels_per_point)
    ys, xs = np.nonzero(strokes)
    pad = 6
    cy0, cy1 = max(0, ys.min() - pad), min(strokes.shape[0], ys.max() + pad + 1)
    cx0, cx1 = max(0, xs.min() - pad), min(strokes.shape[1], xs.max() + pad + 1)
    crop = page.grey[y0:y1, x0:x1].copy()
    crop[grown] = 255
    if near is not None:
        crop[page.seal[y0:y1, x0:x1] & ~near] = 255
    # Under the seal a digit its fade cut down to one stroke looks like a mark (a 2 read as —).
    mark = "" if sealed or under_seal or smudged or touches else _mark(strokes, pixels_per_point)
    lead, dot_after = _beside_digits(strokes, page.grey[y0:y1, x0:x1], rules)
    specks = _specks_apart(strokes, ink, grown)
    ring = _ring(strokes, seal)
    return CellInk(
        crop[cy0:cy1, cx0:cx1],
        True,
        touches,
        sealed,
        smudged,
        mark,
        under_seal,
        lead,
        dot_after,
        (x0 + cx0, y0 + cy0),
        (x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1),
        specks,
        ring,
    )


def _grown_rules(rules: np.ndarray, x0: int, y0: int, x1: int, y1: int) -> np.ndarray:
    """The rules of a cell (pixels x0:x1, y0:y1) grown a pixel, as they are grown on the whole
    page: the blurred edge a rule leaves beside it is the rule's. A cell's box is its rules' mean
    lines, and a rule the deskew left a pixel crooked runs just outside the box at one end of the
    table, its edge inside: grown within the box alone, that edge stayed ink and touched the
    crossing rule, and every clean cell of the column was suspect (ink touching the rules)."""
    h, w = rules.shape
    left, top = max(0, x0 - 1), max(0, y0 - 1)
    around = rules[top : min(h, y1 + 1), left : min(w, x1 + 1)].astype(np.uint8)
    grown = cv2.dilate(around, np.ones((3, 3), np.uint8)) > 0
    return grown[y0 - top : y1 - top, x0 - left : x1 - left]


def _beside_digits(strokes: np.ndarray, grey: np.ndarray, rules: np.ndarray) -> tuple[str, bool]:
    """What stands before and after the digits of a cell (`CellInk.lead`, `CellInk.dot_after`).

    The digits are the blobs at least `digit_height` of the tallest and the pieces the ink test
    broke off them, over their breadth; a piece in a gap among them (a point, a digit broken
    apart) leaves nothing clear. A minus is one blob before them, flat (at most
    `minus_thickness` of the digits' height and twice as long as thick), as long as
    `minus_length`, in the middle of their height and close to them. Nothing stands
    before them when no pixel there, in the band of their height, is darker than the paper by
    `faint_ink` of the digits' own contrast: a minus too faint for the ink test still is.
    A minus the blur joined to the first digit makes that blob wider than one digit (more than
    `digit_width` of the height) or its left edge a bar in the middle of the height (within
    `joined_minus_rows`), where every digit's left edge reaches above or below it: then what
    leads is not clear either. A dot is one blob after the digits, at most
    `dot_size` of their height across."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strokes.astype(np.uint8), connectivity=8)
    if count < 2:
        return "?", False
    x, y, w, h = (
        stats[1:, i] for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)
    )
    tall = h >= _SETTINGS.digit_height * h.max()
    # A piece that shares half the breadth of the narrower of it and a tall blob is a stroke the
    # ink test broke off a digit (the foot of a 2 under a thin join, the bar of a 7 off its
    # stem), unless it stands in the middle of their height, where a minus stands: that one is
    # judged as a minus is.
    band_top, band_bottom = y[tall].min(), (y + h)[tall].max()
    middle = (y + h / 2 - band_top) / (band_bottom - band_top)
    minus_high = (_SETTINGS.minus_middle[0] <= middle) & (middle <= _SETTINGS.minus_middle[1])
    digit = tall.copy()
    for k in np.flatnonzero(tall):
        overlap = np.minimum(x + w, x[k] + w[k]) - np.maximum(x, x[k])
        digit |= (overlap >= np.minimum(w, w[k]) / 2) & ~minus_high
    top, bottom = int(y[digit].min()), int((y + h)[digit].max())
    left, right = int(x[digit].min()), int((x + w)[digit].max())
    height = bottom - top
    middle_x = x + w / 2  # a minus may touch the first digit's edge after the blur
    before = ~digit & (middle_x < left)
    after = ~digit & (middle_x > right)
    if (~digit & ~before & ~after).any():  # a piece in a gap among the digits: a point, a digit broken apart
        return "?", False
    dot_after = bool(after.sum() == 1 and max(w[after][0], h[after][0]) <= _SETTINGS.dot_size * height)
    if before.sum() == 1:
        bx, by, bw, bh = x[before][0], y[before][0], w[before][0], h[before][0]
        middle = (by + bh / 2 - top) / height
        flat = bh <= _SETTINGS.minus_thickness * height and bw >= 2 * bh
        long = _SETTINGS.minus_length[0] * height <= bw <= _SETTINGS.minus_length[1] * height
        centred = _SETTINGS.minus_middle[0] <= middle <= _SETTINGS.minus_middle[1]
        close = left - (bx + bw) <= _SETTINGS.minus_gap * height
        return ("-" if flat and long and centred and close else "?"), dot_after
    if before.any():
        return "?", dot_after
    # A minus joined to the first digit: that blob is wider than a digit, or its left edge is no
    # digit's. Both, with that edge a minus's flat bar at mid-height, it is one (-9 printed tight).
    index = int(np.flatnonzero(digit & (x == left))[0])
    wide = w[index] > _SETTINGS.digit_width * height
    first = labels == 1 + index
    edge = first[:, left : left + max(1, int(_SETTINGS.minus_length[0] * height))]
    rows = np.nonzero(edge.any(axis=1))[0]
    low, high = _SETTINGS.joined_minus_rows
    upper, lower = (rows.min() - top) / height, (rows.max() + 1 - top) / height
    joined = upper >= low and lower <= high
    flat = lower - upper <= _SETTINGS.minus_thickness
    centred = _SETTINGS.minus_middle[0] <= (upper + lower) / 2 <= _SETTINGS.minus_middle[1]
    if wide and joined and flat and centred:
        return "-", dot_after
    if wide or joined:
        return "?", dot_after
    # Nothing the ink test kept: look at the grey itself, away from the rules' blurred edges.
    near_rules = cv2.dilate(rules.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    paper = float(np.median(grey[~strokes & ~near_rules])) if (~strokes & ~near_rules).any() else 255.0
    contrast = paper - float(np.percentile(grey[strokes], 10))
    reach = max(0, left - int(_SETTINGS.minus_gap * height) - int(_SETTINGS.minus_length[1] * height))
    band = cv2.blur(grey, (3, 3))[top:bottom, reach : max(reach, left - 1)]
    # The digits' own soft edge, a pixel or two the ink test left out, blurred a pixel further:
    # no minus (at least `minus_length[0]` of the height long) hides in it.
    halo = cv2.dilate(strokes.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    clear = ~(near_rules | halo)[top:bottom, reach : max(reach, left - 1)]
    darkest = paper - float(band[clear].min()) if clear.any() else 0.0
    return ("" if darkest < _SETTINGS.faint_ink * contrast else "?"), dot_after


def _specks_apart(strokes: np.ndarray, ink: np.ndarray, rules: np.ndarray) -> int:
    """How many specks of dust lie in the cell apart from its digits (`CellInk.specks`).

    Measured on the cell's ink, not only the strokes: the page's line of a number reaches a speck
    further off than the ink test keeps (• 2), and the second reading reads it. The digits are
    the strokes' blobs at least `digit_height` of the tallest; a speck is a blob wholly outside
    their box, on any side (a dust speck lands anywhere: the recogniser reads one above or below
    the line as a character beside the digits, 0* or ,0), at most `speck_size` of their height
    across and at most twice as long one way as the other (round: a flat bar is a minus or a
    dash). Bits of at most `speck_noise` pixels are JPEG's ringing around a dark speck; ink near
    the rules is their blurred edge."""
    count, _, stats, _ = cv2.connectedComponentsWithStats(strokes.astype(np.uint8), connectivity=8)
    if count < 2:
        return 0
    tall = stats[1:, cv2.CC_STAT_HEIGHT] >= _SETTINGS.digit_height * stats[1:, cv2.CC_STAT_HEIGHT].max()
    digits = stats[1:][tall]
    top, bottom = int(digits[:, 1].min()), int((digits[:, 1] + digits[:, 3]).max())
    left, right = int(digits[:, 0].min()), int((digits[:, 0] + digits[:, 2]).max())
    near_rules = cv2.dilate(rules.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    count, _, stats, _ = cv2.connectedComponentsWithStats(
        (ink & ~near_rules).astype(np.uint8), connectivity=8
    )
    x, y, w, h, area = (stats[1:, i] for i in range(5))
    apart = (x + w <= left) | (x >= right) | (y + h <= top) | (y >= bottom)
    size = _SETTINGS.speck_size * (bottom - top)
    small = (np.maximum(w, h) <= size) & (np.maximum(w, h) <= 2 * np.minimum(w, h))
    return int((apart & small & (area > _SETTINGS.speck_noise)).sum())


def _ring(strokes: np.ndarray, seal: np.ndarray) -> bool:
    """Whether the print is one ring, as a 0 is printed (`CellInk.ring`).

    One blob of digit height (the seal's own strokes aside, specks of dust at most `speck_size`
    of its height beside it), no wider than tall, with one hole: in its middle (its centre within
    `ring_hole_middle` of the blob's height and width) and at least `ring_hole_height` of the
    blob's height. No other digit is so: the loop of a 6 or a 9 stands low or high and is under
    half the digit's height, an 8 has two, a 4's is small and off to the left."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strokes.astype(np.uint8), connectivity=8)
    if count < 2:
        return False
    own = np.ones(count - 1, dtype=bool)
    if seal.any():
        own = ~_red_labels(strokes, seal)[1][1:]
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    if not own.any():
        return False
    tallest = int(np.argmax(np.where(own, heights, 0)))
    height = heights[tallest]
    others = np.delete(np.arange(count - 1), tallest)
    extents = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], heights)
    if any(own[i] and extents[i] > _SETTINGS.speck_size * height for i in others):
        return False
    x, y, width = (stats[1 + tallest, i] for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH))
    if width > height:
        return False
    blob = (labels == tallest + 1).astype(np.uint8)
    contours, hierarchy = cv2.findContours(blob, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
    holes = [
        cv2.boundingRect(contour)
        for contour, (_, _, _, parent) in zip(contours, hierarchy[0], strict=True)
        if parent >= 0 and cv2.contourArea(contour) > _SETTINGS.speck_noise
    ]
    if len(holes) != 1:
        return False
    hx, hy, hw, hh = holes[0]
    low, high = _SETTINGS.ring_hole_middle
    middle_y = (hy + hh / 2 - y) / height
    middle_x = (hx + hw / 2 - x) / width
    return bool(
        hh >= _SETTINGS.ring_hole_height * height and low <= middle_y <= high and low <= middle_x <= high
    )


def _mark(strokes: np.ndarray, pixels_per_point: float) -> str:
    """ "—" or "/" for a cell whose ink is one thin straight stroke, lying or leaning, as a report
    prints for zero or "not applicable"; "" otherwise. No digit is such a stroke: a 1 stands
    upright (the recogniser reads a lone / as 1 at a score of 0.93, and a lone — as 一 or -).
    Specks beside the stroke, each at most `dot_size` of its length across, are dust: with one,
    both readings took a / for 1 and the speck for a point (1., . 1), and 1 was published."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(strokes.astype(np.uint8), connectivity=8)
    if count < 2:
        return ""
    extents = np.maximum(stats[1:, cv2.CC_STAT_WIDTH], stats[1:, cv2.CC_STAT_HEIGHT])
    stroke = int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    if any(extent > _SETTINGS.dot_size * extents[stroke] for i, extent in enumerate(extents) if i != stroke):
        return ""
    ys, xs = np.nonzero(labels == stroke + 1)
    if len(xs) < 3:
        return ""
    # The stroke's axes: a straight stroke of width t and length L has variances t²/12 and L²/12.
    variances, vectors = np.linalg.eigh(np.cov(np.vstack([xs, ys]).astype(np.float64)))
    width, length = (math.sqrt(12 * max(v, 0.0)) for v in variances)
    if width > _SETTINGS.mark_width * pixels_per_point or length < _SETTINGS.mark_length * width:
        return ""
    along_x, along_y = vectors[:, 1]
    angle = math.degrees(math.atan2(abs(along_y), abs(along_x)))  # 0 lying, 90 upright
    leans_right = along_x * along_y < 0  # up to the right: image rows grow downwards
    if angle <= _SETTINGS.dash_slope:
        return "—"
    if leans_right and _SETTINGS.slash_slopes[0] <= angle <= _SETTINGS.slash_slopes[1]:
        return "/"
    return ""


def _strokes(ink: np.ndarray, rules: np.ndarray, dpi: float) -> np.ndarray:
    """The ink of a cell's characters: blobs of stroke size, and small blobs (a decimal point)
    only on the line of those strokes and beside them. Dust elsewhere is not ink."""
    _, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    dust = _SETTINGS.dust_size * dpi / 72
    x, y, w, h = (
        stats[:, i] for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT)
    )
    big = np.maximum(w, h) >= dust
    big[0] = False
    keep = big.copy()
    if big.any():
        top, bottom = y[big].min(), (y + h)[big].max()
        left, right = x[big].min(), (x + w)[big].max()
        reach = bottom - top
        small = ~big
        small[0] = False
        beside = (y >= top) & (y + h <= bottom) & (x + w >= left - reach) & (x <= right + reach)
        keep |= small & beside
    interior = np.zeros(ink.shape, dtype=bool)
    interior[_SETTINGS.border + 2 : -_SETTINGS.border - 2, _SETTINGS.border + 2 : -_SETTINGS.border - 2] = (
        True
    )
    strokes = keep[labels]
    return strokes & (interior | _touching(strokes, rules))


def _red_labels(strokes: np.ndarray, seal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The strokes' blobs by label, and which labels are mostly red: ink of the seal that its
    stretch did not fade."""
    count, labels = cv2.connectedComponents(strokes.astype(np.uint8), connectivity=8)
    sizes = np.bincount(labels.ravel(), minlength=count)
    red = np.bincount(labels[seal], minlength=count) > _SETTINGS.seal_stroke_share * sizes
    red[0] = False
    return labels, red


def _seal_stroke(strokes: np.ndarray, seal: np.ndarray) -> bool:
    """Whether a stroke is mostly red: ink of the seal that its stretch did not fade."""
    if not seal.any():
        return False
    return bool(_red_labels(strokes, seal)[1].any())


def _near_print(strokes: np.ndarray, seal: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Where the seal's ink would be a doubt about the print, and the pixels of the seal's own
    strokes that lie wholly outside it. The first is the box of the strokes that are not the
    seal's own, grown by the reach of the seal's fade (2 × `seal_fade`: its dilation, then its
    blur), and within the line of the print sideways by `seal_print_margin` of its height more.
    Both None when the cell has no seal ink or no print of its own (a seal's arc alone in a
    blank cell).

    The stretch fades print only within its reach of the seal's ink, so a digit it cut short
    ends within that reach of the seal; one it faded whole stood in the line beside the others,
    within a digit's width and the gap to the next, less than their height.
    """
    if not seal.any():
        return None, None
    labels, red = _red_labels(strokes, seal)
    printed = strokes & ~red[labels]
    if not printed.any():
        return None, None
    ys, xs = np.nonzero(printed)
    top, bottom, left, right = ys.min(), ys.max() + 1, xs.min(), xs.max() + 1
    reach = _FADE_REACH
    sideways = reach + math.ceil(_SETTINGS.seal_print_margin * (bottom - top))
    near = np.zeros(strokes.shape, dtype=bool)
    near[max(0, top - reach) : bottom + reach, max(0, left - reach) : right + reach] = True
    near[top:bottom, max(0, left - sideways) : right + sideways] = True
    reaching = np.zeros(red.shape, dtype=bool)
    reaching[np.unique(labels[near & strokes])] = True
    return near, (red & ~reaching)[labels]


def _touching(strokes: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """Stroke pixels of blobs that reach the rules: kept, so that ink touching a rule is seen."""
    near = cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    count, labels = cv2.connectedComponents(strokes.astype(np.uint8), connectivity=8)
    hit = np.zeros(count, dtype=bool)
    hit[np.unique(labels[near & strokes])] = True
    hit[0] = False
    return hit[labels]
