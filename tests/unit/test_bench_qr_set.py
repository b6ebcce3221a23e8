"""`bench qr` on a small generated set: every labelled code is read, images are loaded one at a
time (the run reports its peak memory), and the generator writes labels the bench understands."""
from __future__ import annotations

from pathlib import Path

from bench import qr as bench_qr
from bench.qr_set import write_set


def test_bench_qr_reads_a_generated_set_one_image_at_a_time(tmp_path: Path) -> None:
    folder = write_set(tmp_path, images=3, width=800, height=600, seed=2)
    assert len(list(folder.glob("*.jpg"))) == 3
    assert all(len(bench_qr.load_labels(p)) == 1 for p in folder.glob("*.txt"))
    result = bench_qr.measure(tmp_path, repeat=1)
    ours = result["readers"]["yiciban"]
    assert ours["categories"]["generated"] == {**ours["categories"]["generated"], "read": 3, "codes": 3}
    assert result["dataset"]["categories"] == {"generated": {"images": 3, "codes": 3}}
    assert set(result["readers"]) == {"yiciban", "yiciban_exhaustive", "yiciban_all_formats", "zxing_cpp", "zbar"}
    rss = result["machine"]["peak_rss_mb"]
    assert rss["start"] <= rss["after_first_image"] <= rss["end"]
    assert result["method"]["loading"].startswith("one image at a time")
