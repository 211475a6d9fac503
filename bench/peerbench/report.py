"""latest.md: the results document (latest.json's shape) as a Markdown table plus the targets."""

from __future__ import annotations

from typing import Optional

from .config import TABLE, scale_tag
from .incmodes import INCREMENTAL_RUNS
from .increport import incremental_section
from .pairratios import latency_lines
from .resumereport import resume_section
from .resumeruns import RESUME_RUNS
from .runrecord import FAILED, OK, TIMEOUT, UNAVAILABLE, WRONG_COPY, CopyCheck, RunRecord


def fmt_num(v, spec=",.0f") -> str:
    return "—" if v is None else format(v, spec)


def markdown(doc: dict) -> str:
    scale = doc["scale"]
    runs = [RunRecord.from_json(r) for r in doc["runs"]]
    lines = [f"# dbduck peer benchmark — `{TABLE}`, scale {scale_tag(scale)}", "", header(doc), "",
             "| run | rows | seconds | rows/s | peak RSS MB | streaming is N× faster | CPU s (run + emulator) "
             "| copy check | notes |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    lines += [table_row(r, doc["ratios"].get(r.name)) for r in runs
              if r.scale == scale and r.name not in INCREMENTAL_RUNS and r.name not in RESUME_RUNS]
    extra = [r for r in runs if r.scale != scale]
    if extra:
        lines += ["", "Other scales (peak RSS check):", ""]
        for r in extra:
            lines.append(f"- {r.name} at scale {scale_tag(r.scale)}: {r.status}, "
                         f"{fmt_num(r.rows)} rows in {fmt_num(r.seconds, '.2f')} s, "
                         f"peak RSS {fmt_num((r.peak_rss_bytes or 0) / 1e6)} MB")
    lines += latency_lines(doc["ratios"])
    lines += incremental_section(doc, runs)
    lines += resume_section(doc, runs)
    lines += ["", "## Targets", ""]
    lines += [target_line(key, t) for key, t in doc["targets"].items()]
    lines += ["", "Ratios to dbduck-streaming, every run's JSON details and the exact commands: `latest.json`.",
              "How each peer works and why some cannot run: `bench/README.md`.", ""]
    return "\n".join(lines)


def header(doc: dict) -> str:
    machine = doc["machine"]
    return (f"Run {doc['started_at']} with `{doc['command']}` ({doc['total_seconds']:.0f} s in all). "
            f"Machine: {machine.get('cores')} cores, "
            f"{machine.get('memory_bytes', 0) / 2**30:.0f} GiB, {machine.get('cpu', '?')}; "
            f"load average at start {', '.join(f'{x:.2f}' for x in machine.get('loadavg_at_start', []))}. "
            f"dbduck binary: `{machine.get('dbduck_binary')}` "
            f"({(machine.get('dbduck_version') or 'not built').splitlines()[0]}). "
            "One emulator (Python, on the same 2 cores) served every run"
            + (", with its query result cache on (Databricks SQL's `use_cached_result` default): a repeated "
               "identical query is not executed and compressed again on these cores. "
               if doc.get("emulator", {}).get("result_cache") else
               ", with its query result cache off (BENCH_RESULT_CACHE=0): every statement executes and compresses "
               "its result on these cores. ")
            + "Seconds are wall time of the whole process (startup included); peak RSS is the process tree's; "
            "CPU s = user+system seconds of the run's process tree, and of the emulator during the run. "
            "A load average above 2 means other work shared the cores: wall times are then inflated.")


def check_cell(r: RunRecord) -> str:
    if r.status == OK:
        copied = isinstance(r.check, CopyCheck) and r.check.rows_in_file is not None
        cell = "ok" if copied else "rows (manifest)"
        if copied and r.check.types_ok is False:
            cell += ", other column types"
        return cell
    if r.status == WRONG_COPY:
        return "**WRONG**: " + (r.reason or "")
    return r.status or "?"


def notes_cell(r: RunRecord) -> str:
    notes = r.note or ""

    def add(text: str) -> None:
        nonlocal notes
        notes = (notes + "; " if notes else "") + text

    if (r.best_of or 1) > 1:
        tried = ", ".join(f"{s:.2f}" for s in r.attempts_seconds if s is not None)
        add(f"fastest of {r.best_of} ({tried} s); peak RSS the highest")
    rc = r.result_cache
    if rc and (rc["hits"] or rc["misses"]):
        add("from the result cache" if rc["hits"] and not rc["misses"] else
            "executed (result cache miss)" if rc["misses"] and not rc["hits"] else
            f"{rc['hits']} cached / {rc['misses']} executed statements")
    if r.status in (FAILED, TIMEOUT, UNAVAILABLE):
        add((r.reason or "")[:300])
    return notes


def table_row(r: RunRecord, ratio: Optional[dict]) -> str:
    rss_mb = r.peak_rss_bytes / 1e6 if r.peak_rss_bytes else None
    speedup = fmt_num(ratio["streaming_speedup"], ".2f") if ratio else "—"
    return (f"| {r.name} | {fmt_num(r.rows)} | {fmt_num(r.seconds, '.2f')} | {fmt_num(r.rows_per_s)} | "
            f"{fmt_num(rss_mb)} | {speedup} | "
            f"{fmt_num(r.cpu_seconds, '.1f')} + {fmt_num(r.emulator_cpu_seconds, '.1f')} | "
            f"{check_cell(r)} | {notes_cell(r)} |")


def target_line(key: str, t: dict) -> str:
    met = {True: "**met**", False: "**not met**", None: "not measured"}[t.get("met")]
    val = f" — {t['shown']}" if "shown" in t else f" — {t['value']}x" if "value" in t else ""
    line = f"- {t['target']}: {met}{val}"
    if key == "streaming_vs_physical_limit" and "limit_used" in t:
        line += (f" (limit = {t['limit_used']}, {t['limit_rows_per_s']:,.0f} rows/s; download "
                 f"{t['limit_download_rows_per_s']:,.0f} rows/s, Parquet ingest "
                 f"{t['limit_parquet_ingest_rows_per_s']:,.0f} rows/s)")
        ww = t.get("with_warehouse")
        if ww:
            line += (f"; counting the warehouse's own statement time the limit is {ww['rows_per_s']:,.0f} "
                     f"rows/s and streaming is {ww['value']}x from it "
                     f"({'within' if ww['met'] else 'not within'} 1.5x)")
    if key == "streaming_peak_rss":
        parts = [f"scale {k}: {v['peak_rss_bytes'] / 1e6:.0f} MB" for k, v in t["by_scale"].items()]
        line += f" ({'; '.join(parts) or 'no measurement'})"
    if t.get("why"):
        line += f" — {t['why']}"
    return line
