"""The geometry of a scanned page: deskew, ruling lines, ink and seals, with OpenCV.

Everything here works on pixels and knows nothing of OCR. `ocr` turns the lines it
finds into the same `Edge`s a text PDF's rules give, so `lattice` rebuilds the
cells of a scanned table exactly as it does those of a drawn one.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from ..layout import Edge

_SKEW_LIMIT = 3.0  # degrees: scanners feed pages at most this crooked; beyond it the search would be slow
_SKEW_COARSE_STEP = 0.25  # degrees: first pass of the projection search
_SKEW_FINE_STEP = 0.05  # degrees: second pass around the best coarse angle (0.05° is 1 px over 1,100 px)
_INK_BLOCK = 31  # pixels: neighbourhood of the adaptive threshold, a few character strokes wide
_INK_OFFSET = 18  # grey levels below the local mean that count as ink (paper grain and JPEG noise stay out)
_RULE_MIN_FRACTION = 0.04  # of the page's width (height): a ruling line is at least this long
_DUST_SIZE = 3.0  # points: a blob smaller than this is dust or a decimal point, not a stroke (digits are 7 pt tall)
_SEAL_RED_MARGIN = 50  # grey levels by which red exceeds green and blue in a seal's ink
_SEAL_MIN_RED = 150  # red level of a seal's ink at least (black print is below 100 in every channel)


@dataclass(frozen=True)
class PageImage:
    """A page image after deskewing: the grey the OCR reads, ink and rule masks, the seal's mask."""

    grey: np.ndarray  # uint8, seal ink lifted (the red channel of a colour scan)
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
            grey, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV, _INK_BLOCK, _INK_OFFSET
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

    coarse = np.arange(-_SKEW_LIMIT, _SKEW_LIMIT + 1e-9, _SKEW_COARSE_STEP)
    best = max(coarse, key=sharpness)
    fine = np.arange(best - _SKEW_COARSE_STEP, best + _SKEW_COARSE_STEP + 1e-9, _SKEW_FINE_STEP)
    return float(max(fine, key=sharpness))


def _rules(ink: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal and vertical ruling lines: ink runs far longer than any stroke of a character."""
    h, w = ink.shape
    mask = ink.astype(np.uint8)
    across = cv2.getStructuringElement(cv2.MORPH_RECT, (max(15, int(w * _RULE_MIN_FRACTION)), 1))
    down = cv2.getStructuringElement(cv2.MORPH_RECT, (1, max(15, int(h * _RULE_MIN_FRACTION / 2))))
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, across) > 0, cv2.morphologyEx(mask, cv2.MORPH_OPEN, down) > 0


def prepare(image: np.ndarray, dpi: float) -> PageImage:
    """Deskew a rendered page (RGB or grey) and find its ink, rules and seal."""
    if image.ndim == 3:
        red, green, blue = (image[:, :, i].astype(np.int16) for i in range(3))
        # Red ink is bright in the red channel. Black print under or beside a seal stays dark
        # there even where JPEG's coarse colour planes tint it red, so it is never taken for seal.
        seal = ((red - np.maximum(green, blue)) > _SEAL_RED_MARGIN) & (red > _SEAL_MIN_RED)
        grey = image[:, :, 0].copy()
        grey[seal] = 255  # the seal's red ink lifted; black print under it is dark in every channel and stays
    else:
        seal = np.zeros(image.shape, dtype=bool)
        grey = image
    angle = _skew(_ink(grey))
    if angle:
        h, w = grey.shape
        matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
        grey = cv2.warpAffine(grey, matrix, (w, h), flags=cv2.INTER_LINEAR, borderValue=255)
        seal = cv2.warpAffine(seal.astype(np.uint8), matrix, (w, h), flags=cv2.INTER_NEAREST) > 0
    ink = _ink(grey)
    horizontal, vertical = _rules(ink)
    return PageImage(grey, ink, horizontal, vertical, horizontal | vertical, seal, dpi, angle)


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
    sealed: bool  # red ink over the cell


_SEAL_SHARE = 0.01  # of a cell's pixels: more red than this and the cell is read through a seal
_BORDER = 2  # pixels kept clear of the rules around a cell's ink


def cell_ink(page: PageImage, bbox: tuple[float, float, float, float]) -> CellInk:
    """Cut one cell (a box in points) out of the page and test its ink."""
    scale = page.scale
    h, w = page.grey.shape
    x0, y0 = max(0, int(bbox[0] / scale)), max(0, int(bbox[1] / scale))
    x1, y1 = min(w, int(bbox[2] / scale) + 1), min(h, int(bbox[3] / scale) + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return CellInk(np.zeros((0, 0), np.uint8), False, False, False)
    rules = page.rules[y0:y1, x0:x1]
    sealed = bool(page.seal[y0:y1, x0:x1].mean() > _SEAL_SHARE)
    # The rules of the cell and everything beyond them: grow the rule mask a little, then cut
    # the interior between the cell's own rules.
    grown = cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    ink = page.ink[y0:y1, x0:x1] & ~grown
    strokes = _strokes(ink, grown, page.dpi)
    if not strokes.any():
        return CellInk(np.zeros((0, 0), np.uint8), False, False, sealed)
    touches = bool((cv2.dilate(strokes.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)[grown].any())
    ys, xs = np.nonzero(strokes)
    pad = 6
    cy0, cy1 = max(0, ys.min() - pad), min(strokes.shape[0], ys.max() + pad + 1)
    cx0, cx1 = max(0, xs.min() - pad), min(strokes.shape[1], xs.max() + pad + 1)
    crop = page.grey[y0:y1, x0:x1].copy()
    crop[grown] = 255
    return CellInk(crop[cy0:cy1, cx0:cx1], True, touches, sealed)


def _strokes(ink: np.ndarray, rules: np.ndarray, dpi: float) -> np.ndarray:
    """The ink of a cell's characters: blobs of stroke size, and small blobs (a decimal point)
    only on the line of those strokes and beside them. Dust elsewhere is not ink."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(ink.astype(np.uint8), connectivity=8)
    dust = _DUST_SIZE * dpi / 72
    x, y, w, h = (stats[:, i] for i in (cv2.CC_STAT_LEFT, cv2.CC_STAT_TOP, cv2.CC_STAT_WIDTH, cv2.CC_STAT_HEIGHT))
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
    interior[_BORDER + 2 : -_BORDER - 2, _BORDER + 2 : -_BORDER - 2] = True
    strokes = keep[labels]
    return strokes & (interior | _touching(strokes, rules))


def _touching(strokes: np.ndarray, rules: np.ndarray) -> np.ndarray:
    """Stroke pixels of blobs that reach the rules: kept, so that ink touching a rule is seen."""
    near = cv2.dilate(rules.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0
    count, labels = cv2.connectedComponents(strokes.astype(np.uint8), connectivity=8)
    hit = np.zeros(count, dtype=bool)
    hit[np.unique(labels[near & strokes])] = True
    hit[0] = False
    return hit[labels]
