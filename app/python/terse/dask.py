"""Batch compression on a Dask cluster: the records of ``terse compress --jsonl``, spread over workers.

    python3 -m terse.dask compress --scheduler local --workers 4 IN.jsonl OUT.jsonl --method llmlingua2 --rate 0.33
    python3 -m terse.dask compress --scheduler tcp://head:8786 IN.jsonl OUT.jsonl --method dac --rate 0.5

or from Python, ``terse.dask.compress("in.jsonl", "out.jsonl", method="llmlingua2", rate=0.33, workers=4)``.

The input is read by this process and cut into partitions of consecutive lines; Dask's scheduler runs each
partition on a worker, which keeps one compressor per settings (its model loaded once) for the rest of the
run. Records are written in input order as partitions finish, exactly the lines ``terse compress --jsonl``
writes with the same settings. Bad lines: without ``skip_errors`` the run stops before any work and names
the line (exit 3); with it, they become {"id", "line", "error"} records (exit 5). A worker that dies
mid-partition has that partition rerun elsewhere by Dask (up to distributed's allowed-failures), and each
partition's records are written once, when its result first arrives.

Workers need the terse package importable (LocalCluster workers inherit this process's environment; on a
remote cluster install it on every worker with cmake --install).
"""

import argparse
import logging
import math
import os
import sys
import time
import uuid

from . import _terse
from ._errors import Error, InvalidArgumentError, InvalidInputError, from_engine

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INPUT, EXIT_NOT_FOUND, EXIT_PARTIAL = 0, 1, 2, 3, 4, 5

# Per worker process: one (compressor, options) per settings, created on first use and reused.
_WORKER_STATE = {}


def _compress_partition(settings, lines, full):
    """Runs on a worker: compresses (line number, line bytes) pairs. Returns one (record, error, code, warnings)
    per line, and the worker's process id."""
    state = _WORKER_STATE.get(settings)
    if state is None:
        _tune_malloc()
        method, rate, target, mode, seed, model, device, target_tokenizer, params, threads = settings
        if threads:
            _terse.init_runtime(threads)
        options = _terse.options(method, rate, target, mode, seed, model, device, target_tokenizer, dict(params), [])
        state = _WORKER_STATE[settings] = (_terse.Compressor(method), options)
    compressor, options = state
    return [compressor.compress_line(text, number, options, full) for number, text in lines], os.getpid()


def _tune_malloc():
    """Dask's nanny starts workers with MALLOC_TRIM_THRESHOLD_=65536, which also freezes glibc's mmap
    threshold at 128 KiB: every activation tensor is then mmap'ed and unmapped again, and the engine ran at
    half speed in a worker (61 s instead of 32 s for 200 LongBench prompts). Larger fixed thresholds give back
    the reuse that glibc's dynamic threshold would have found."""
    try:
        import ctypes
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 32 << 20)   # M_MMAP_THRESHOLD: blocks below 32 MiB come from the heap
        libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: keep up to 256 MiB of free heap for reuse
    except (OSError, AttributeError):
        pass  # not glibc: nothing to tune


class BatchError(Error):
    """A batch stopped at a line: ``line`` is its number, ``exit_code`` the CLI's code for the cause."""

    def __init__(self, detail, code, exit_code, line=None):
        super().__init__(detail, code)
        self.exit_code = exit_code
        self.line = line



def _exit_code(code):
    """The CLI's exit code for an engine error code (the one table, in terse._errors)."""
    return from_engine(code, "").exit_code


def _read_lines(path):
    """The non-blank lines of a JSONL file (or '-' for standard input) as (line number, text), as the CLI
    reads them: numbered from 1, a trailing '\\r' dropped, lines of only spaces and tabs skipped."""
    if path == "-":
        data = sys.stdin.buffer.read()
        chunks = data.split(b"\n")
        if chunks and chunks[-1] == b"":
            chunks.pop()
        source = enumerate(chunks, 1)
    else:
        source = enumerate(_binary_lines(path), 1)
    for number, raw in source:
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw.strip(b" \t"):
            continue
        # Bytes as read: the engine parses them as the CLI does (invalid UTF-8 gets the CLI's message).
        yield number, raw


def _binary_lines(path):
    try:
        with open(path, "rb") as f:
            yield from f
    except FileNotFoundError:
        raise BatchError(f"cannot open '{path}': no such file", "not_found", EXIT_NOT_FOUND) from None
    except OSError as e:
        raise BatchError(f"cannot read '{path}': {e.strerror}", "io_error", EXIT_FAILURE) from None


class _Progress:
    def __init__(self, total, enabled, workers):
        self.total, self.enabled, self.workers = total, enabled, workers
        self.tty = enabled and sys.stderr.isatty()
        self.start = time.monotonic()
        self.last = 0.0
        self.shown_step = -1

    def update(self, done):
        if not self.enabled:
            return
        now = time.monotonic()
        rate = done / max(now - self.start, 1e-9)
        line = f"terse.dask: {done}/{self.total} prompts, {rate:.1f} prompts/s, {self.workers} workers"
        if self.tty:
            if now - self.last >= 0.25 or done == self.total:
                self.last = now
                sys.stderr.write("\r\033[K" + line)
                sys.stderr.flush()
        else:
            step = done * 10 // max(self.total, 1)  # every 10%
            if step != self.shown_step:
                self.shown_step = step
                sys.stderr.write(line + "\n")
                sys.stderr.flush()

    def message(self, text):
        if self.tty:
            sys.stderr.write("\r\033[K")
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def finish(self, done):
        if self.tty:
            sys.stderr.write("\r\033[K")
        if self.enabled:
            seconds = time.monotonic() - self.start
            sys.stderr.write(f"terse.dask: {done} prompts in {seconds:.1f} s "
                             f"({done / max(seconds, 1e-9):.2f} prompts/s) on {self.workers} workers\n")
            sys.stderr.flush()


def compress(input_path, output_path, *, method, rate=0.5, target_tokens=-1, mode="corrected", model="",
             device="cpu", target_tokenizer="cl100k_base", seed=42, params=None, scheduler="local", workers=2,
             threads_per_worker=1, partition_size=0, full=False, skip_errors=False, progress=True, client=None):
    """Compresses every prompt of the JSONL file ``input_path`` ("-": standard input) on a Dask cluster and
    writes the records of ``terse compress --jsonl`` to ``output_path`` ("-": standard output), in input
    order. ``scheduler`` is "local" (a LocalCluster of ``workers`` processes, ``threads_per_worker`` engine
    threads each) or a scheduler address; ``client`` reuses a distributed.Client instead. ``params`` are method
    options (name -> value text, as --param). ``progress``: True prints progress to stderr; a callable gets
    (done, total) after each partition. Returns {"lines", "skipped", "seconds", "workers", "prompts_per_second"}.
    Raises BatchError (with the CLI's exit code) for bad lines, failed compressions and unusable input,
    terse.Error for bad settings."""
    params = {str(k): str(v) for k, v in (params or {}).items()}
    settings = (method, float(rate), int(target_tokens), mode, int(seed), model or "", device, target_tokenizer,
                tuple(sorted(params.items())), int(threads_per_worker))
    # Bad settings fail here, before a cluster starts (unknown method or option, rate out of range...).
    _terse.options(*settings[:8], params, [])
    if workers < 1 and client is None and scheduler == "local":
        raise InvalidArgumentError(f"workers must be at least 1, got {workers}")

    # Pass 1: count the lines and, unless skipping, check them all before any work (as the CLI does).
    total = 0
    stdin_lines = list(_read_lines("-")) if input_path == "-" else None
    for number, text in (stdin_lines if stdin_lines is not None else _read_lines(input_path)):
        total += 1
        if not skip_errors:
            checked = _terse.check_line(text, number)
            if checked is not None:
                raise BatchError(_terse.line_message(number, checked[1]), "invalid_input", EXIT_INPUT, number)
    if total == 0:
        where = "standard input" if input_path == "-" else f"'{input_path}'"
        raise BatchError(f"{where}: no prompts (the input is empty)", "invalid_input", EXIT_INPUT)

    from distributed import Client, LocalCluster, as_completed  # imported here: slow, and only needed now

    own_cluster = own_client = None
    if client is None:
        if scheduler == "local":
            own_cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                       dashboard_address=None, silence_logs=logging.ERROR)
            own_client = client = Client(own_cluster)
        else:
            own_client = client = Client(scheduler)
    out = sys.stdout if output_path == "-" else open(output_path, "w", encoding="utf-8", newline="\n")
    try:
        nworkers = max(1, len(client.scheduler_info().get("workers", {})))
        size = partition_size or max(1, min(64, math.ceil(total / (nworkers * 8))))
        report = _Progress(total, progress is True, nworkers)
        run = uuid.uuid4().hex[:8]

        def partitions():
            batch, index = [], 0
            for number, text in (stdin_lines if stdin_lines is not None else _read_lines(input_path)):
                batch.append((number, text))
                if len(batch) == size:
                    yield index, batch
                    batch, index = [], index + 1
            if batch:
                yield index, batch

        def submit(index, batch):
            future = client.submit(_compress_partition, settings, batch, bool(full),
                                   key=f"terse-compress-{run}-{index}")
            futures[future] = (index, batch)
            return future

        futures = {}
        source = partitions()
        in_flight = as_completed()
        for _ in range(2 * nworkers + 2):  # bounded: the input is never all in memory at once
            part = next(source, None)
            if part is None:
                break
            in_flight.add(submit(*part))

        pending, next_index, done, skipped = {}, 0, 0, 0
        notes = {}
        for future in in_flight:
            index, batch = futures.pop(future)
            results, _pid = future.result()
            pending[index] = (batch, results)
            part = next(source, None)
            if part is not None:
                in_flight.add(submit(*part))
            while next_index in pending:  # write in input order
                batch, results = pending.pop(next_index)
                next_index += 1
                for (number, _text), (record, error, code, warns) in zip(batch, results):
                    if error is not None:
                        if not skip_errors or code == "cancelled":
                            out.flush()
                            raise BatchError(_terse.line_message(number, error), code,
                                             _exit_code(code), number)
                        if report.enabled:
                            report.message("terse.dask: " + _terse.line_message(number, error) + " (skipped)")
                        skipped += 1
                    for code, detail, is_note in warns:
                        if is_note:  # once per kind at the end, as terse compress --jsonl
                            seen = notes.setdefault(code, [0, _terse.line_message(number, detail)])
                            seen[0] += 1
                        elif report.enabled:
                            report.message("terse.dask: " + _terse.line_message(number, "warning: " + detail))
                    out.write(record + "\n")
                    done += 1
                out.flush()
                report.update(done)
                if callable(progress):
                    progress(done, total)
        report.finish(done)
        if report.enabled:
            for code, (count, example) in sorted(notes.items()):
                sys.stderr.write(f"terse.dask: note: {count} prompt(s) had the note '{code}', e.g. {example}\n")
        seconds = time.monotonic() - report.start
        if skipped and report.enabled:
            sys.stderr.write(f"terse.dask: {skipped} of {total} lines skipped\n")
        return {"lines": done, "skipped": skipped, "seconds": seconds, "workers": nworkers,
                "prompts_per_second": done / max(seconds, 1e-9)}
    finally:
        if out is not sys.stdout:
            out.close()
        if own_client is not None:
            own_client.close()
        if own_cluster is not None:
            own_cluster.close()


def _parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python3 -m terse.dask",
        description="Compresses a JSONL batch on a Dask cluster; the output lines are those of "
                    "`terse compress --jsonl`, in input order.")
    sub = p.add_subparsers(dest="command", required=True)
    c = sub.add_parser("compress", help="compress a JSONL batch",
                       description="Each input line is {\"prompt\": ...} or {\"instruction\", \"contexts\", "
                                   "\"question\"} with an optional \"id\", as for terse compress --jsonl.")
    c.add_argument("input", help="input JSONL file, or - for standard input")
    c.add_argument("output", help="output JSONL file, or - for standard output")
    c.add_argument("--scheduler", default="local",
                   help="'local' (a LocalCluster on this machine, default) or a scheduler address tcp://HOST:8786")
    c.add_argument("--workers", type=int, default=2, help="LocalCluster worker processes (default 2)")
    c.add_argument("--threads-per-worker", type=int, default=1, help="engine threads per worker (default 1)")
    c.add_argument("--partition-size", type=int, default=0, help="lines per task (default: automatic)")
    c.add_argument("--method", required=True)
    c.add_argument("--rate", type=float, default=0.5)
    c.add_argument("--target-tokens", type=int, default=-1)
    c.add_argument("--mode", default="corrected", choices=["corrected", "reference"])
    c.add_argument("--model", default="")
    c.add_argument("--device", default="cpu")
    c.add_argument("--target-tokenizer", default="cl100k_base")
    c.add_argument("--seed", type=int, default=42)
    c.add_argument("--param", action="append", default=[], metavar="KEY=VALUE", help="a method option (repeatable)")
    c.add_argument("--json", action="store_true", help="whole results instead of the summary records")
    c.add_argument("--skip-errors", action="store_true", help="bad lines become error records (exit 5)")
    c.add_argument("--quiet", action="store_true", help="no progress on standard error")
    return p, p.parse_args(argv)


def main(argv=None):
    parser, args = _parse_args(argv)
    params = {}
    for assignment in args.param:
        key, eq, value = assignment.partition("=")
        if not eq or not key:
            parser.exit(EXIT_USAGE, f"terse.dask: --param expects KEY=VALUE, got '{assignment}'\n")
        params[key] = value
    try:
        summary = compress(args.input, args.output, method=args.method, rate=args.rate,
                           target_tokens=args.target_tokens, mode=args.mode, model=args.model, device=args.device,
                           target_tokenizer=args.target_tokenizer, seed=args.seed, params=params,
                           scheduler=args.scheduler, workers=args.workers,
                           threads_per_worker=args.threads_per_worker, partition_size=args.partition_size,
                           full=args.json, skip_errors=args.skip_errors, progress=not args.quiet)
    except BatchError as e:
        sys.stderr.write(f"terse.dask: {e.detail}\n")
        return e.exit_code
    except Error as e:
        sys.stderr.write(f"terse.dask: {e.detail}\n")
        return e.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("terse.dask: interrupted\n")
        return 130
    except OSError as e:
        sys.stderr.write(f"terse.dask: {e}\n")
        return EXIT_FAILURE
    if summary["skipped"]:
        return EXIT_INPUT if summary["skipped"] == summary["lines"] else EXIT_PARTIAL
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
