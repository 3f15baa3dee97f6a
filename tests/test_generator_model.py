"""The fixture generator's model imports against this version of gongkai and prints the form's cells.

The generator itself needs LibreOffice and reportlab; its model needs only gongkai, so a change to
the forms' API that breaks it fails here rather than at the next regeneration.
"""

from __future__ import annotations

import sys

import pytest

from gongkai.forms import FORMS

from .conftest import FIXTURES


@pytest.fixture(scope="module")
def gen_model():
    sys.path.insert(0, str(FIXTURES))
    try:
        import gen_model

        yield gen_model
    finally:
        sys.path.remove(str(FIXTURES))


@pytest.mark.parametrize("version", sorted(FORMS))
def test_the_generator_prints_every_cell_of_the_form(gen_model, version):
    printed = gen_model._printed_form(version, version, False)
    cells = gen_model.form_cells(printed)
    assert len(cells) == len(set(cells)) == FORMS[version].cell_count
