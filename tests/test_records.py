"""Record frames and the streaming writer."""

from __future__ import annotations

import pyarrow.parquet as pq

from gongkai.output import records
from gongkai.output.writers import RecordWriter


def _cells(source: str, count: int) -> list[dict]:
    return [
        {"source": source, "year": 2024, "table": "applications", "row_id": f"r{i}", "value": float(i)}
        for i in range(count)
    ]


def test_frame_types_follow_the_contract_also_for_text_from_an_earlier_csv():
    typed = records.frame("cells", [{"source": "a.pdf", "year": 2024, "value": 3.0, "page": None}])
    from_csv = records.frame("cells", [{"source": "a.pdf", "year": "2024", "value": "3", "page": None}])
    assert list(typed.dtypes) == list(from_csv.dtypes)
    assert typed.equals(from_csv)
    assert str(typed["year"].dtype) == "Int64" and str(typed["value"].dtype) == "float64"


def test_parquet_gathers_reports_into_large_row_groups(tmp_path):
    path = tmp_path / "cells.parquet"
    writer = RecordWriter(str(path), "cells", "parquet")
    reports = [f"r{n:03}.pdf" for n in range(150)]
    for source in reports:
        writer.write(_cells(source, 200))
    assert not path.exists()  # only the temporary file until close
    writer.close()
    parquet = pq.ParquetFile(path)
    assert parquet.metadata.num_rows == 150 * 200
    assert parquet.metadata.num_row_groups == 2  # 100 reports, then the last 50
    table = parquet.read().to_pandas()
    assert list(dict.fromkeys(table["source"])) == reports
    assert table["value"].tolist() == [float(i) for _ in reports for i in range(200)]
