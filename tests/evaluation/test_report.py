"""``solidarity eval`` writes the report with the targets table and each set's section."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from solidarity_graph.cli import main


def test_report_seeds_section_and_targets(shared: Path, tmp_path: Path) -> None:
    out = tmp_path / "quality.md"
    res = CliRunner().invoke(main, ["eval", "--shared", str(shared), "--only", "seeds", "--out", str(out), "-p", "1"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "| seeds: organization F1 | 0.95 |" in text
    assert "plain spaCy" in text
    # the figures are measured: the seeds' organizations beat plain spaCy's by a wide margin
    row = next(line for line in text.splitlines() if line.startswith("| organization |"))
    ours, base = float(row.split("|")[4].strip(" *")), float(row.split("|")[5].split("/")[2])
    assert ours > base + 0.2


def test_report_missing_shared_is_a_clear_error(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["eval", "--shared", str(tmp_path), "--out", str(tmp_path / "q.md")])
    assert res.exit_code == 1
    assert "no eval/ folder" in res.output


def test_report_klue_ner_figures(shared: Path) -> None:
    from solidarity_graph.evaluation.klue_ner import evaluate, read_klue

    sentences = read_klue(shared / "eval" / "klue-ner" / "klue-ner-v1.1_dev.wikitree.tsv")
    assert len(sentences) == 2534
    assert any(t == "OG" for _, spans in sentences[:5] for _, _, t in spans)
    section = evaluate(shared, limit=60)
    assert all(0.0 <= section.figures[f"klue_{t}_f1"] <= 1.0 for t in ("ps", "lc", "og", "dt"))
    assert "| OG |" in section.markdown
