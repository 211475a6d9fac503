"""check_copy() against expected(): a faithful copy passes; fewer rows, changed values, other types
or a missing file are findings."""

from __future__ import annotations

import duckdb
import pytest

from peerbench.copycheck import check_copy, expected

ROWS = """SELECT i::BIGINT AS l_orderkey, (i * 1.25)::DECIMAL(15,2) AS l_extendedprice,
                 repeat('c', i % 7) AS l_comment, DATE '1995-01-01' + i::INTEGER AS l_shipdate,
                 DATE '1995-02-01' + i::INTEGER AS l_receiptdate
          FROM range(1, 101) t(i)"""


@pytest.fixture
def source(tmp_path) -> str:
    path = str(tmp_path / "lineitem.parquet")
    duckdb.sql(f"COPY ({ROWS}) TO '{path}' (FORMAT parquet)")
    return path


def copy_to(path: str, select: str) -> str:
    con = duckdb.connect(path)
    con.execute("CREATE SCHEMA tpch")
    con.execute(f"CREATE TABLE tpch.lineitem AS {select}")
    con.close()
    return path


def test_a_faithful_copy_passes(source, tmp_path):
    exp = expected(source, None)
    assert exp["fingerprint"]["rows"] == 100
    check = check_copy(copy_to(str(tmp_path / "c.duckdb"), f"SELECT * FROM '{source}'"), exp)
    assert check.ok and check.rows_in_file == 100 and check.types_ok and check.types is None


def test_the_sample_expectation_filters(source, tmp_path):
    exp = expected(source, "l_orderkey <= 10")
    assert exp["fingerprint"]["rows"] == 10
    check = check_copy(copy_to(str(tmp_path / "c.duckdb"), f"SELECT * FROM '{source}'"), exp)
    assert not check.rows_ok and check.rows_in_file == 100


def test_a_changed_value_is_a_content_difference(source, tmp_path):
    path = copy_to(str(tmp_path / "c.duckdb"),
                   f"SELECT * REPLACE (CASE WHEN l_orderkey = 5 THEN 'changed' ELSE l_comment END AS l_comment) "
                   f"FROM '{source}'")
    check = check_copy(path, expected(source, None))
    assert check.rows_ok and not check.content_ok and not check.ok
    assert any(d.startswith("comment_chars:") for d in check.content_diffs)


def test_other_column_types_are_recorded(source, tmp_path):
    path = copy_to(str(tmp_path / "c.duckdb"),
                   f"SELECT * REPLACE (l_extendedprice::DOUBLE AS l_extendedprice) FROM '{source}'")
    check = check_copy(path, expected(source, None))
    assert check.ok and check.types_ok is False and "l_extendedprice DOUBLE" in check.types


def test_no_file_or_no_table(source, tmp_path):
    exp = expected(source, None)
    missing = check_copy(str(tmp_path / "none.duckdb"), exp)
    assert missing.check_error == "no DuckDB file was written" and not missing.ok
    empty = str(tmp_path / "empty.duckdb")
    duckdb.connect(empty).close()
    no_table = check_copy(empty, exp)
    assert no_table.rows_in_file is None and no_table.check_error.startswith("no table tpch.lineitem")
