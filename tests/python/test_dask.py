"""Distributed batch compression on Dask (issue 18): the output of `python3 -m terse.dask compress` is the
output of `terse compress --jsonl` with the same settings, line for line, also when a worker dies
mid-run; bad lines are reported as the CLI reports them."""
import json
import os
import signal
import subprocess
import sys

import pytest

distributed = pytest.importorskip("distributed", reason="Debian's python3-distributed is not installed")

import terse.dask  # noqa: E402
from conftest import SAMPLES, shared_dir  # noqa: E402

SETTINGS = ["--method", "llmlingua2", "--rate", "0.5", "--threads", "1"]


def prompts(count):
    """`count` JSONL lines: GSM8K questions from ../shared when present, else sentences of the repo's samples;
    every tenth line a structured prompt, ids of both kinds."""
    texts = []
    gsm8k = shared_dir() / "data" / "gsm8k" / "test.jsonl"
    if gsm8k.exists():
        with open(gsm8k, encoding="utf-8") as f:
            for line in f:
                texts.append(json.loads(line)["question"])
                if len(texts) == count:
                    break
    else:
        sentences = " ".join(p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))).split(". ")
        for i in range(count):
            texts.append(". ".join(sentences[(i * 3) % len(sentences):(i * 3) % len(sentences) + 1 + i % 4]) + ".")
    lines = []
    for i, text in enumerate(texts):
        if i % 10 == 9:
            lines.append({"id": i, "instruction": "Answer briefly.", "contexts": [text], "question": "What is asked?"})
        else:
            lines.append({"id": f"p{i}", "prompt": text})
    return "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n"


@pytest.fixture(scope="module")
def cluster():
    """A LocalCluster of 2 single-threaded worker processes (they inherit PYTHONPATH and so import terse)."""
    import logging
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=logging.ERROR) as c, distributed.Client(c) as client:
        yield client


def cli_batch(cli, path, extra=()):
    return cli(["compress", "--jsonl", "--quiet"] + SETTINGS + list(extra) + [str(path)], check=False)


def test_output_equals_the_cli_even_when_a_worker_is_killed(cli, cluster, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(prompts(300), encoding="utf-8")
    expected = cli_batch(cli, source)
    assert expected.returncode == 0, expected.stderr

    pids = cluster.run(os.getpid)  # worker address -> process id
    killed = []

    def progress(done, total):
        # After the first partition is written, kill one worker: it is in the middle of a partition (both
        # workers have queued work), which Dask must rerun on a live worker.
        if not killed and 0 < done < total:
            victim = sorted(pids.values())[0]
            os.kill(victim, signal.SIGKILL)
            killed.append((victim, done))

    out = tmp_path / "out.jsonl"
    summary = terse.dask.compress(str(source), str(out), method="llmlingua2", rate=0.5, client=cluster,
                                  partition_size=10, progress=progress)
    assert killed and killed[0][1] < 300, "the worker was killed before the run ended"
    assert summary["lines"] == 300 and summary["skipped"] == 0
    got = out.read_text(encoding="utf-8")
    assert got == expected.stdout  # every line once, in input order, the CLI's records
    assert [json.loads(line)["line"] for line in got.splitlines()] == list(range(1, 301))
    # The killed process is gone and its nanny started a new worker in its place.
    cluster.wait_for_workers(2, timeout=60)
    assert killed[0][0] not in cluster.run(os.getpid).values()


def test_bad_line_stops_before_any_work_as_the_cli(cli, cluster, tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"prompt": "A fine prompt with words."}\n\n{"prompt": 3}\n{"prompt": "Another one."}\n',
                      encoding="utf-8")
    expected = cli_batch(cli, source)
    assert expected.returncode == 3
    out = tmp_path / "out.jsonl"
    with pytest.raises(terse.dask.BatchError) as e:
        terse.dask.compress(str(source), str(out), method="llmlingua2", rate=0.5, client=cluster, progress=False)
    assert e.value.exit_code == 3 and e.value.line == 3
    assert expected.stderr == f"terse: {e.value.detail}\n"  # 'line 3: "prompt" must be a string, got a number'
    assert not out.exists() or out.read_text() == ""


def test_skip_errors_writes_the_cli_error_records(cli, cluster, tmp_path):
    source = tmp_path / "mixed.jsonl"
    source.write_bytes(b'{"prompt": "A fine prompt with several words in it."}\n'
                       b'not json\n'
                       b'{"prompt": "bad \xff byte"}\n'
                       b'{"id": "x", "contexts": []}\n'
                       b'{"id": 7, "prompt": "The last prompt, also fine."}\n')
    expected = cli_batch(cli, source, ["--skip-errors"])
    assert expected.returncode == 5
    out = tmp_path / "out.jsonl"
    summary = terse.dask.compress(str(source), str(out), method="llmlingua2", rate=0.5, client=cluster,
                                  skip_errors=True, progress=False)
    assert summary["skipped"] == 3
    assert out.read_text(encoding="utf-8") == expected.stdout


def test_bad_settings_fail_before_a_cluster_starts(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"prompt": "words"}\n')
    with pytest.raises(terse.InvalidArgumentError, match="rate"):
        terse.dask.compress(str(source), str(tmp_path / "o.jsonl"), method="llmlingua2", rate=2.0, workers=1)
    with pytest.raises(terse.NotFoundError, match="nosuch"):
        terse.dask.compress(str(source), str(tmp_path / "o.jsonl"), method="nosuch", workers=1)
    with pytest.raises(terse.dask.BatchError, match="no such file"):
        terse.dask.compress(str(tmp_path / "missing.jsonl"), str(tmp_path / "o.jsonl"), method="random", workers=1)


def test_command_line_on_a_local_cluster(cli, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(prompts(40), encoding="utf-8")
    expected = cli_batch(cli, source)
    out = tmp_path / "out.jsonl"
    proc = subprocess.run([sys.executable, "-m", "terse.dask", "compress", "--scheduler", "local", "--workers", "1",
                           str(source), str(out), "--method", "llmlingua2", "--rate", "0.5"],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8") == expected.stdout
    assert "terse.dask: 40 prompts in" in proc.stderr  # progress and the summary go to stderr
    usage = subprocess.run([sys.executable, "-m", "terse.dask", "compress", str(source), str(out), "--method",
                            "llmlingua2", "--param", "novalue"], capture_output=True, text=True, timeout=120)
    assert usage.returncode == 2 and "--param expects KEY=VALUE" in usage.stderr
